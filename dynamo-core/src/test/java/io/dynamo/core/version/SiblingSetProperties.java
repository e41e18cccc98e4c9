package io.dynamo.core.version;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Reconciliation laws over realistic histories: a few nodes each hold a replica of one key;
 * clients write through a coordinator with the context they read (or blind), and the coordinator
 * mints the dot the way {@code LocalReplica.coordinate} does; replicas exchange their whole sibling
 * sets (as a coordinator's post-write state or anti-entropy would). Arbitrary random dots would
 * describe impossible histories in which these laws need not hold.
 *
 * <p>Writes may carry a client's write id, and a write with one may be retried: the same request
 * (context, value, id) through another coordinator, later in the history, as a forwarder or client
 * does when an attempt goes unanswered. Copies of one write must reconcile into one version
 * wherever they meet, and the laws must still hold.
 *
 * <p>Whole-set exchange matters: if replicas receive single versions, a replica can hold the blind
 * write (n,2) without (n,1); a client reading it gets context {n:2}, which covers (n,1) unseen, and
 * merge stops being associative. (NodeProtocol.replicate ships only the created version today.)
 */
class SiblingSetProperties {
  static final int NODES = 3;

  /** One step of a history. */
  sealed interface Step permits Write, Sync, Retry {}

  /**
   * A client reads the replicas in {@code readMask} (none: a blind write) and writes via coord,
   * with a write id when {@code withId}.
   */
  record Write(int coord, int readMask, boolean tombstone, long timestamp, boolean withId)
      implements Step {}

  /**
   * The {@code write}-th write with an id (modulo how many there are so far) is sent again, the
   * same request, through {@code coord}.
   */
  record Retry(int write, int coord, long timestamp) implements Step {}

  /** Replica {@code to} receives and merges replica {@code from}'s whole sibling set. */
  record Sync(int from, int to) implements Step {}

  static NodeId node(int i) {
    return NodeId.of("node-" + (char) ('a' + i));
  }

  /** The state of one key on every node, plus every version ever written. */
  static final class History {
    final SiblingSet[] replicas = new SiblingSet[NODES];
    final List<Versioned> minted = new ArrayList<>();
    /** The first copy of every write made with a write id, in order. */
    final List<Versioned> withIds = new ArrayList<>();
    final List<Step> steps;

    History(List<Step> steps) {
      this.steps = steps;
      Arrays.fill(replicas, SiblingSet.EMPTY);
      for (Step s : steps) {
        if (s instanceof Write w) {
          Versioned v = write(w.coord(), read(w.readMask()), w.tombstone(), w.timestamp());
          if (w.withId()) {
            v = v.withWriteId(WriteId.of(("w" + withIds.size()).getBytes(StandardCharsets.UTF_8)));
            minted.set(minted.size() - 1, v);
            replicas[w.coord()] = replicaWithout(w.coord(), v.dot()).apply(v, ConflictMode.SIBLINGS);
            withIds.add(v);
          }
        } else if (s instanceof Retry r && !withIds.isEmpty()) {
          retry(withIds.get(r.write() % withIds.size()), r.coord(), r.timestamp());
        } else if (s instanceof Sync y) {
          replicas[y.to()] = replicas[y.to()].merge(replicas[y.from()], ConflictMode.SIBLINGS);
        }
      }
    }

    VectorClock read(int mask) {
      VectorClock ctx = VectorClock.EMPTY;
      for (int i = 0; i < NODES; i++) {
        if ((mask & (1 << i)) != 0) {
          ctx = ctx.merge(replicas[i].context());
        }
      }
      return ctx;
    }

    private SiblingSet replicaWithout(int i, Dot dot) {
      return new SiblingSet(
          replicas[i].versions().stream().filter(v -> !v.dot().sameEvent(dot)).toList());
    }

    /**
     * Sends {@code first}'s request again through {@code coord}, as LocalReplica.coordinate takes
     * it: nothing new when coord holds a copy, else a new event with the same id, context and value.
     */
    void retry(Versioned first, int coord, long timestamp) {
      if (replicas[coord].withWriteId(first.writeId()) != null) {
        return;
      }
      NodeId self = node(coord);
      long counter =
          Math.max(replicas[coord].highestCounter(self), first.context().counter(self)) + 1;
      Versioned copy =
          new Versioned(
              new Dot(self, counter, timestamp), first.context(), first.tombstone(), first.value(),
              first.writeId(), List.of());
      replicas[coord] = replicas[coord].apply(copy, ConflictMode.SIBLINGS);
      minted.add(copy);
    }

    /** Mints a version at {@code coord} as LocalReplica.coordinate does and stores it there. */
    Versioned write(int coord, VectorClock ctx, boolean tombstone, long timestamp) {
      Versioned v = mint(coord, ctx, tombstone, timestamp);
      replicas[coord] = replicas[coord].apply(v, ConflictMode.SIBLINGS);
      minted.add(v);
      return v;
    }

    Versioned mint(int coord, VectorClock ctx, boolean tombstone, long timestamp) {
      NodeId self = node(coord);
      long counter = Math.max(replicas[coord].highestCounter(self), ctx.counter(self)) + 1;
      Dot dot = new Dot(self, counter, timestamp);
      return tombstone
          ? Versioned.tombstone(dot, ctx)
          : Versioned.value(dot, ctx, ("v" + minted.size()).getBytes(StandardCharsets.UTF_8));
    }

    SiblingSet mergeAll() {
      SiblingSet out = SiblingSet.EMPTY;
      for (SiblingSet r : replicas) {
        out = out.merge(r, ConflictMode.SIBLINGS);
      }
      return out;
    }

    void syncAll() {
      SiblingSet all = mergeAll();
      for (int i = 0; i < NODES; i++) {
        replicas[i] = replicas[i].merge(all, ConflictMode.SIBLINGS);
      }
    }

    @Override
    public String toString() {
      return steps.toString();
    }
  }

  static Arbitrary<Step> steps() {
    Arbitrary<Integer> nodes = Arbitraries.integers().between(0, NODES - 1);
    Arbitrary<Step> writes =
        Combinators.combine(
                nodes,
                // Blind writes are common; otherwise read one, two or all replicas.
                Arbitraries.frequencyOf(
                    Tuple.of(1, Arbitraries.just(0)),
                    Tuple.of(3, Arbitraries.integers().between(1, (1 << NODES) - 1))),
                Arbitraries.of(false, false, false, true),
                // Coarse, skewed timestamps: ties and clocks running backwards happen.
                Arbitraries.longs().between(0, 30),
                Arbitraries.of(false, true))
            .as(Write::new);
    Arbitrary<Step> syncs =
        Combinators.combine(nodes, nodes).filter((a, b) -> !a.equals(b)).as(Sync::new);
    Arbitrary<Step> retries =
        Combinators.combine(Arbitraries.integers().between(0, 10), nodes, Arbitraries.longs().between(0, 30))
            .as(Retry::new);
    return Arbitraries.frequencyOf(
        Tuple.of(3, writes), Tuple.of(2, syncs), Tuple.of(1, retries));
  }

  @Provide
  Arbitrary<History> histories() {
    return steps().list().ofMinSize(1).ofMaxSize(30).map(History::new);
  }

  static Set<Versioned> asSet(SiblingSet s) {
    Set<Versioned> out = new HashSet<>(s.versions());
    assertThat(out).as("duplicate versions in %s", s).hasSameSizeAs(s.versions());
    return out;
  }

  /** No version of a reconciled set supersedes, or is the same event as, another. */
  static void assertAntichain(SiblingSet s) {
    List<Versioned> vs = s.versions();
    for (int i = 0; i < vs.size(); i++) {
      for (int j = 0; j < vs.size(); j++) {
        if (i != j) {
          assertThat(vs.get(i).supersedes(vs.get(j)))
              .as("%s over %s", vs.get(i), vs.get(j))
              .isFalse();
          assertThat(vs.get(i).dot().sameEvent(vs.get(j).dot())).isFalse();
          assertThat(vs.get(i).sameWrite(vs.get(j)))
              .as("two copies of one write side by side: %s and %s", vs.get(i), vs.get(j))
              .isFalse();
        }
      }
    }
  }

  @Property
  void replicasAreAlwaysAntichains(@ForAll("histories") History h) {
    for (SiblingSet r : h.replicas) {
      assertAntichain(r);
    }
    assertAntichain(h.mergeAll());
  }

  @Property
  void mergeIsCommutative(@ForAll("histories") History h) {
    for (SiblingSet a : h.replicas) {
      for (SiblingSet b : h.replicas) {
        assertThat(asSet(a.merge(b, ConflictMode.SIBLINGS)))
            .isEqualTo(asSet(b.merge(a, ConflictMode.SIBLINGS)));
      }
    }
  }

  @Property
  void mergeIsIdempotent(@ForAll("histories") History h) {
    for (SiblingSet a : h.replicas) {
      assertThat(a.merge(a, ConflictMode.SIBLINGS)).isEqualTo(a);
      for (SiblingSet b : h.replicas) {
        SiblingSet ab = a.merge(b, ConflictMode.SIBLINGS);
        assertThat(ab.merge(b, ConflictMode.SIBLINGS)).isEqualTo(ab);
        assertThat(asSet(ab.merge(a, ConflictMode.SIBLINGS))).isEqualTo(asSet(ab));
      }
    }
  }

  @Property
  void mergeIsAssociative(@ForAll("histories") History h) {
    for (SiblingSet a : h.replicas) {
      for (SiblingSet b : h.replicas) {
        for (SiblingSet c : h.replicas) {
          SiblingSet left = a.merge(b, ConflictMode.SIBLINGS).merge(c, ConflictMode.SIBLINGS);
          SiblingSet right = a.merge(b.merge(c, ConflictMode.SIBLINGS), ConflictMode.SIBLINGS);
          assertThat(asSet(left)).isEqualTo(asSet(right));
        }
      }
    }
  }

  /**
   * Everything converges to exactly the writes no other version written supersedes, each once:
   * a write with copies keeps the events (copies) no other writer saw, the smallest as its dot.
   */
  @Property
  void fullSyncKeepsExactlyTheUnsupersededVersions(@ForAll("histories") History h) {
    Set<Versioned> expected = expectedAfterFullSync(h.minted);
    h.syncAll();
    for (SiblingSet r : h.replicas) {
      assertThat(asSet(r)).isEqualTo(expected);
    }
  }

  static Set<Versioned> expectedAfterFullSync(List<Versioned> minted) {
    Set<Versioned> expected = new HashSet<>();
    Set<WriteId> done = new HashSet<>();
    for (Versioned v : minted) {
      if (v.writeId() != null && !done.add(v.writeId())) {
        continue;
      }
      List<Versioned> copies = minted.stream().filter(c -> c == v || v.sameWrite(c)).toList();
      List<Dot> live = new ArrayList<>();
      for (Versioned c : copies) {
        boolean seen = minted.stream().anyMatch(o -> !copies.contains(o) && o.context().covers(c.dot()));
        if (!seen) {
          live.add(c.dot());
        }
      }
      if (live.isEmpty()) {
        continue;
      }
      live.sort(Versioned.DOT_ORDER);
      expected.add(
          new Versioned(
              live.get(0), v.context(), v.tombstone(), v.value(), v.writeId(),
              live.subList(1, live.size())));
    }
    return expected;
  }

  @Property
  void copiesOfOneWriteAreNeverSiblings(@ForAll("histories") History h) {
    h.syncAll();
    for (SiblingSet r : h.replicas) {
      Set<WriteId> ids = new HashSet<>();
      for (Versioned v : r.versions()) {
        if (v.writeId() != null) {
          assertThat(ids.add(v.writeId())).as("write %s twice in %s", v.writeId(), r).isTrue();
        }
      }
    }
  }

  /** A context read from a replica holding every copy of a write makes every copy obsolete. */
  @Property
  void aContextReadAfterCopiesMetSupersedesEveryCopy(
      @ForAll("histories") History h, @ForAll @IntRange(min = 0, max = NODES - 1) int coord) {
    h.syncAll();
    VectorClock read = h.replicas[0].context();
    h.write(coord, read, false, 100);
    h.syncAll();
    assertThat(h.replicas[0].versions()).hasSize(1);
  }

  @Property
  void applyingAVersionTwiceIsApplyingItOnce(@ForAll("histories") History h) {
    for (SiblingSet s : h.replicas) {
      for (Versioned v : h.minted) {
        for (ConflictMode mode : ConflictMode.values()) {
          SiblingSet once = s.apply(v, mode);
          assertThat(once.apply(v, mode)).isEqualTo(once);
        }
      }
    }
  }

  @Property
  void aWriteWithTheMergedContextReplacesEverySibling(
      @ForAll("histories") History h,
      @ForAll @IntRange(min = 0, max = NODES - 1) int coord,
      @ForAll @IntRange(min = 1, max = (1 << NODES) - 1) int readMask) {
    SiblingSet read = SiblingSet.EMPTY;
    for (int i = 0; i < NODES; i++) {
      if ((readMask & (1 << i)) != 0) {
        read = read.merge(h.replicas[i], ConflictMode.SIBLINGS);
      }
    }
    SiblingSet before = h.replicas[coord];
    Versioned w = h.write(coord, read.context(), false, 100);
    assertThat(read.apply(w, ConflictMode.SIBLINGS).versions()).containsExactly(w);
    // At the coordinator, every version the client read is gone and w is stored.
    SiblingSet after = h.replicas[coord];
    assertThat(after.versions()).contains(w);
    for (Versioned v : read.versions()) {
      assertThat(after.versions()).doesNotContain(v);
    }
    // What the coordinator held that the client had not read survives as w's sibling.
    // A write whose copies the client saw only some of lives on as the copies it did not see.
    for (Versioned v : before.versions()) {
      Versioned left = v.withoutEventsCoveredBy(read.context());
      if (left == null) {
        assertThat(after.versions()).doesNotContain(v);
      } else {
        assertThat(after.versions()).contains(left);
      }
    }
  }

  @Property
  void concurrentBlindWritesAreAllKept(
      @ForAll("histories") History h,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = NODES - 1) Integer> coords) {
    h.syncAll();
    Set<Versioned> survivors = asSet(h.replicas[0]);
    List<Versioned> blind = new ArrayList<>();
    for (int coord : coords) {
      blind.add(h.write(coord, VectorClock.EMPTY, false, 50));
    }
    for (int i = 0; i < NODES; i++) {
      // Each coordinator holds everything it had plus every blind write it coordinated.
      NodeId self = node(i);
      assertThat(h.replicas[i].versions())
          .containsAll(survivors)
          .containsAll(blind.stream().filter(v -> v.dot().node().equals(self)).toList());
    }
    h.syncAll();
    assertThat(asSet(h.replicas[0])).containsAll(survivors).containsAll(blind);
    assertThat(h.replicas[0].versions()).hasSize(survivors.size() + blind.size());
  }

  @Property
  void blindWritesThroughOneCoordinatorGetDistinctDotsAndAllSurvive(
      @ForAll("histories") History h,
      @ForAll @IntRange(min = 0, max = NODES - 1) int coord,
      @ForAll @IntRange(min = 2, max = 5) int writes) {
    SiblingSet before = h.replicas[coord];
    List<Versioned> blind = new ArrayList<>();
    for (int i = 0; i < writes; i++) {
      blind.add(h.write(coord, VectorClock.EMPTY, i % 2 == 1, 60));
    }
    assertThat(blind.stream().map(v -> v.dot().counter()).distinct()).hasSize(writes);
    assertThat(h.replicas[coord].versions())
        .containsAll(before.versions())
        .containsAll(blind)
        .hasSize(before.versions().size() + writes);
  }

  static final Comparator<Versioned> LATEST = SiblingSet.LATEST;

  @Property
  void lastWriteWinsKeepsExactlyTheLatestWhateverTheOrder(
      @ForAll("histories") History h, @ForAll Random random) {
    Assume.that(!h.minted.isEmpty());
    List<Versioned> all = new ArrayList<>(h.minted);
    Collections.shuffle(all, random);
    SiblingSet s = SiblingSet.EMPTY;
    for (Versioned v : all) {
      s = s.apply(v, ConflictMode.LAST_WRITE_WINS);
      assertThat(s.versions()).hasSize(1);
    }
    assertThat(s.versions()).containsExactly(Collections.max(h.minted, LATEST));
  }

  @Property
  void lastWriteWinsMergeIsOrderIndependent(@ForAll("histories") History h) {
    for (SiblingSet a : h.replicas) {
      for (SiblingSet b : h.replicas) {
        SiblingSet ab = a.merge(b, ConflictMode.LAST_WRITE_WINS);
        SiblingSet ba = b.merge(a, ConflictMode.LAST_WRITE_WINS);
        if (a.isEmpty() && b.isEmpty()) {
          assertThat(ab.isEmpty()).isTrue();
          continue;
        }
        // Replicas here hold siblings; a LWW merge of them collapses to their latest version.
        List<Versioned> union = new ArrayList<>(a.versions());
        union.addAll(b.versions());
        Versioned latest = Collections.max(union, LATEST);
        if (!b.isEmpty()) {
          assertThat(ab.versions()).containsExactly(latest);
        }
        if (!a.isEmpty()) {
          assertThat(ba.versions()).containsExactly(latest);
        }
      }
    }
  }

  @Property
  void contextCoversEveryVersionAndValuesSkipTombstones(@ForAll("histories") History h) {
    for (SiblingSet s : h.replicas) {
      VectorClock ctx = s.context();
      for (Versioned v : s.versions()) {
        assertThat(ctx.covers(v.dot())).isTrue();
        assertThat(v.clock().compare(ctx)).isIn(Occurs.BEFORE, Occurs.EQUAL);
      }
      long live = s.versions().stream().filter(v -> !v.tombstone()).count();
      assertThat(s.values()).hasSize((int) live);
      assertThat(s.deleted()).isEqualTo(!s.isEmpty() && live == 0);
      for (int i = 0; i < NODES; i++) {
        assertThat(s.highestCounter(node(i))).isEqualTo(ctx.counter(node(i)));
      }
    }
  }

  @Example
  void lastWriteWinsBreaksTimestampTiesByNodeThenCounter() {
    Versioned a = Versioned.value(new Dot(node(0), 1, 5), VectorClock.EMPTY, new byte[] {1});
    Versioned b = Versioned.value(new Dot(node(1), 1, 5), VectorClock.EMPTY, new byte[] {2});
    Versioned b2 = Versioned.value(new Dot(node(1), 2, 5), VectorClock.EMPTY, new byte[] {3});
    for (List<Versioned> order : List.of(List.of(a, b, b2), List.of(b2, b, a), List.of(b, b2, a))) {
      SiblingSet s = SiblingSet.EMPTY;
      for (Versioned v : order) {
        s = s.apply(v, ConflictMode.LAST_WRITE_WINS);
      }
      assertThat(s.versions()).containsExactly(b2);
    }
  }

  @Example
  void twoBlindWritesThroughOneCoordinatorAreSiblings() {
    History h = new History(List.of());
    Versioned first = h.write(0, VectorClock.EMPTY, false, 1);
    Versioned second = h.write(0, VectorClock.EMPTY, false, 1);
    assertThat(first.dot().counter()).isEqualTo(1);
    assertThat(second.dot().counter()).isEqualTo(2);
    assertThat(h.replicas[0].versions()).containsExactly(first, second);
    assertThat(h.replicas[0].context().counters()).containsEntry(node(0), 2L);
  }

  static final WriteId W = WriteId.of(new byte[] {42});

  @Example
  void twoAttemptsAtOneWriteAreOneVersionWhoseClockCoversBoth() {
    Versioned first =
        Versioned.value(new Dot(node(0), 1, 5), VectorClock.EMPTY, new byte[] {1}).withWriteId(W);
    Versioned retry =
        Versioned.value(new Dot(node(1), 1, 9), VectorClock.EMPTY, new byte[] {1}).withWriteId(W);
    for (SiblingSet s : List.of(SiblingSet.of(first, retry), SiblingSet.of(retry, first))) {
      assertThat(s.versions()).singleElement().satisfies(v -> {
        assertThat(v.dot()).isEqualTo(first.dot());
        assertThat(v.aliases()).containsExactly(retry.dot());
        assertThat(s.context().covers(first.dot()) && s.context().covers(retry.dot())).isTrue();
      });
    }
  }

  /**
   * The late copy: a writer saw the first attempt's copy only and superseded it; the retry's copy,
   * made or delivered after that, is not covered by the writer's context, so it stands beside the
   * writer's version, once, whatever the order in which replicas meet. (Making any copy's
   * supersession kill every copy would need each replica to remember superseded write ids; without
   * that memory the result would depend on arrival order, and replicas could disagree.)
   */
  @Example
  void aLateCopyStandsOnceBesideAWriteThatSupersededItsTwin() {
    Versioned x =
        Versioned.value(new Dot(node(0), 1, 5), VectorClock.EMPTY, new byte[] {1}).withWriteId(W);
    Versioned s = Versioned.value(new Dot(node(1), 1, 6), x.clock(), new byte[] {2});
    Versioned y =
        Versioned.value(new Dot(node(2), 1, 7), VectorClock.EMPTY, new byte[] {1}).withWriteId(W);
    SiblingSet a = SiblingSet.of(x);
    SiblingSet b = SiblingSet.of(s);
    SiblingSet c = SiblingSet.of(y);
    SiblingSet expected = SiblingSet.of(s, y);
    assertThat(a.merge(b, ConflictMode.SIBLINGS).merge(c, ConflictMode.SIBLINGS)).isEqualTo(expected);
    assertThat(a.merge(c, ConflictMode.SIBLINGS).merge(b, ConflictMode.SIBLINGS)).isEqualTo(expected);
    assertThat(c.merge(b, ConflictMode.SIBLINGS).merge(a, ConflictMode.SIBLINGS)).isEqualTo(expected);
    assertThat(a.merge(b.merge(c, ConflictMode.SIBLINGS), ConflictMode.SIBLINGS)).isEqualTo(expected);
  }
}

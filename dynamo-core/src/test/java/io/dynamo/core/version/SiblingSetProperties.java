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
 * <p>Whole-set exchange matters: if replicas receive single versions, a replica can hold the blind
 * write (n,2) without (n,1); a client reading it gets context {n:2}, which covers (n,1) unseen, and
 * merge stops being associative. (NodeProtocol.replicate ships only the created version today.)
 */
class SiblingSetProperties {
  static final int NODES = 3;

  /** One step of a history. */
  sealed interface Step permits Write, Sync {}

  /** A client reads the replicas in {@code readMask} (none: a blind write) and writes via coord. */
  record Write(int coord, int readMask, boolean tombstone, long timestamp) implements Step {}

  /** Replica {@code to} receives and merges replica {@code from}'s whole sibling set. */
  record Sync(int from, int to) implements Step {}

  static NodeId node(int i) {
    return NodeId.of("node-" + (char) ('a' + i));
  }

  /** The state of one key on every node, plus every version ever written. */
  static final class History {
    final SiblingSet[] replicas = new SiblingSet[NODES];
    final List<Versioned> minted = new ArrayList<>();
    final List<Step> steps;

    History(List<Step> steps) {
      this.steps = steps;
      Arrays.fill(replicas, SiblingSet.EMPTY);
      for (Step s : steps) {
        if (s instanceof Write w) {
          write(w.coord(), read(w.readMask()), w.tombstone(), w.timestamp());
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
                Arbitraries.longs().between(0, 30))
            .as(Write::new);
    Arbitrary<Step> syncs =
        Combinators.combine(nodes, nodes).filter((a, b) -> !a.equals(b)).as(Sync::new);
    return Arbitraries.frequencyOf(
        Tuple.of(3, writes), Tuple.of(2, syncs));
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

  /** Everything converges to exactly the versions no other version written supersedes. */
  @Property
  void fullSyncKeepsExactlyTheUnsupersededVersions(@ForAll("histories") History h) {
    Set<Versioned> expected = new HashSet<>();
    for (Versioned v : h.minted) {
      if (h.minted.stream().noneMatch(w -> w != v && w.supersedes(v))) {
        expected.add(v);
      }
    }
    h.syncAll();
    for (SiblingSet r : h.replicas) {
      assertThat(asSet(r)).isEqualTo(expected);
    }
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
    for (Versioned v : before.versions()) {
      assertThat(after.versions().contains(v)).isEqualTo(!read.context().covers(v.dot()));
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

  static final Comparator<Versioned> LATEST =
      Comparator.<Versioned>comparingLong(v -> v.dot().timestampMillis())
          .thenComparing(v -> v.dot().node())
          .thenComparingLong(v -> v.dot().counter());

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
}

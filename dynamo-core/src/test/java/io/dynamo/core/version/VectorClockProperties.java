package io.dynamo.core.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Laws of the causal partial order on vector clocks. Clocks are drawn from one "world" per try, in
 * which the timestamp of a node's k-th event is fixed, so equal (node, counter) pairs are the same
 * event, as they are in any real history.
 */
class VectorClockProperties {
  static final int NODES = 6;
  static final int MAX_COUNTER = 5;

  /** Timestamps of every (node, counter) event: base + counter * step, so increasing per node. */
  record World(long[] base, long[] step) {
    static NodeId node(int i) {
      return NodeId.of("n" + i);
    }

    Dot dot(int node, long counter) {
      return new Dot(node(node), counter, base[node] + counter * step[node]);
    }

    /** A clock from per-node counters, 0 meaning no entry. */
    VectorClock clock(int[] counters) {
      List<Dot> dots = new ArrayList<>();
      for (int i = 0; i < counters.length; i++) {
        if (counters[i] > 0) {
          dots.add(dot(i, counters[i]));
        }
      }
      return VectorClock.of(dots);
    }
  }

  /** Up to three clocks of one world, with their counters so tests have an independent model. */
  record Clocks(World world, int[] a, int[] b, int[] c) {
    VectorClock ca() {
      return world.clock(a);
    }

    VectorClock cb() {
      return world.clock(b);
    }

    VectorClock cc() {
      return world.clock(c);
    }
  }

  static Arbitrary<World> worlds() {
    Arbitrary<long[]> bases =
        Arbitraries.longs().between(0, 1_000_000).array(long[].class).ofSize(NODES);
    Arbitrary<long[]> steps =
        Arbitraries.longs().between(1, 1_000).array(long[].class).ofSize(NODES);
    return Combinators.combine(bases, steps).as(World::new);
  }

  /** Counters biased towards absent entries and small values. */
  static Arbitrary<int[]> counters() {
    Arbitrary<Integer> one =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.just(0)),
            Tuple.of(5, Arbitraries.integers().between(1, MAX_COUNTER)));
    return one.array(int[].class).ofSize(NODES);
  }

  static int[] plus(int[] x, int[] delta) {
    int[] out = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] + delta[i];
    }
    return out;
  }

  /**
   * Triples that are often chains (a <= b <= c by construction from counters, not from merge) and
   * otherwise independent.
   */
  @Provide
  Arbitrary<Clocks> clocks() {
    Arbitrary<Clocks> independent =
        Combinators.combine(worlds(), counters(), counters(), counters()).as(Clocks::new);
    Arbitrary<Clocks> chains =
        Combinators.combine(
                worlds(), counters(), counters(), counters(), Arbitraries.of(true, false))
            .as(
                (w, a, d1, d2, sparse) -> {
                  int[] delta2 = d2.clone();
                  if (sparse) {
                    // Often grow one node only, so that BEFORE chains are common.
                    for (int i = 1; i < delta2.length; i++) {
                      delta2[i] = 0;
                    }
                  }
                  int[] b = plus(a, d1);
                  return new Clocks(w, a, b, plus(b, delta2));
                });
    return Arbitraries.oneOf(independent, chains);
  }

  /** The partial order computed directly from counters. */
  static Occurs model(int[] x, int[] y) {
    boolean xMore = false;
    boolean yMore = false;
    for (int i = 0; i < x.length; i++) {
      xMore |= x[i] > y[i];
      yMore |= y[i] > x[i];
    }
    if (xMore && yMore) {
      return Occurs.CONCURRENT;
    }
    return xMore ? Occurs.AFTER : yMore ? Occurs.BEFORE : Occurs.EQUAL;
  }

  static boolean atLeast(VectorClock x, VectorClock y) {
    Occurs o = x.compare(y);
    return o == Occurs.AFTER || o == Occurs.EQUAL;
  }

  @Property
  @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
  void compareMatchesThePointwiseOrderOfCounters(@ForAll("clocks") Clocks t) {
    Occurs expected = model(t.a(), t.b());
    Statistics.collect(expected);
    for (Occurs o : Occurs.values()) {
      Statistics.coverage(c -> c.check(o).percentage(p -> p > 5));
    }
    assertThat(t.ca().compare(t.cb())).isEqualTo(expected);
  }

  @Property
  void compareIsReflexive(@ForAll("clocks") Clocks t) {
    VectorClock a = t.ca();
    assertThat(a.compare(a)).isEqualTo(Occurs.EQUAL);
    // An equal clock built separately (different array instance) compares EQUAL and is equal.
    VectorClock copy = VectorClock.of(new ArrayList<>(a.entries()));
    assertThat(a.compare(copy)).isEqualTo(Occurs.EQUAL);
    assertThat(copy).isEqualTo(a).hasSameHashCodeAs(a);
  }

  @Property
  void compareIsAntisymmetric(@ForAll("clocks") Clocks t) {
    Occurs ab = t.ca().compare(t.cb());
    Occurs ba = t.cb().compare(t.ca());
    assertThat(ba).isEqualTo(ab.inverse());
    assertThat(ab == Occurs.BEFORE).isEqualTo(ba == Occurs.AFTER);
    assertThat(ab == Occurs.EQUAL).isEqualTo(t.ca().equals(t.cb()));
  }

  @Property
  @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
  void beforeIsTransitive(@ForAll("clocks") Clocks t) {
    boolean chain =
        t.ca().compare(t.cb()) == Occurs.BEFORE && t.cb().compare(t.cc()) == Occurs.BEFORE;
    Statistics.label("chain").collect(chain);
    if (chain) {
      assertThat(t.ca().compare(t.cc())).isEqualTo(Occurs.BEFORE);
    }
    Statistics.label("chain").coverage(c -> c.check(true).percentage(p -> p > 10));
  }

  @Property
  void mergeIsPointwiseMaximum(@ForAll("clocks") Clocks t) {
    VectorClock merged = t.ca().merge(t.cb());
    int[] max = new int[NODES];
    for (int i = 0; i < NODES; i++) {
      max[i] = Math.max(t.a()[i], t.b()[i]);
    }
    assertThat(merged).isEqualTo(t.world().clock(max));
  }

  @Property
  void mergeIsCommutativeAssociativeAndIdempotent(@ForAll("clocks") Clocks t) {
    VectorClock a = t.ca();
    VectorClock b = t.cb();
    VectorClock c = t.cc();
    assertThat(a.merge(b)).isEqualTo(b.merge(a));
    assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
    assertThat(a.merge(a)).isEqualTo(a);
    assertThat(a.merge(VectorClock.EMPTY)).isEqualTo(a);
    assertThat(VectorClock.EMPTY.merge(a)).isEqualTo(a);
  }

  @Property
  void mergeIsAnUpperBound(@ForAll("clocks") Clocks t) {
    VectorClock m = t.ca().merge(t.cb());
    assertThat(m.compare(t.ca())).isIn(Occurs.AFTER, Occurs.EQUAL);
    assertThat(m.compare(t.cb())).isIn(Occurs.AFTER, Occurs.EQUAL);
  }

  @Property
  void mergeIsTheLeastUpperBound(@ForAll("clocks") Clocks t) {
    VectorClock a = t.ca();
    VectorClock b = t.cb();
    // c is made an upper bound of a and b half the time, via counters rather than merge.
    int[] upper = new int[NODES];
    for (int i = 0; i < NODES; i++) {
      upper[i] = Math.max(Math.max(t.a()[i], t.b()[i]), t.c()[i]);
    }
    for (VectorClock c : List.of(t.cc(), t.world().clock(upper))) {
      if (atLeast(c, a) && atLeast(c, b)) {
        assertThat(atLeast(c, a.merge(b))).as("%s >= %s v %s", c, a, b).isTrue();
      }
    }
  }

  @Property
  void incrementIsStrictlyAfterAndAdvancesOneCounter(
      @ForAll("clocks") Clocks t, @ForAll @IntRange(min = 0, max = NODES - 1) int node) {
    VectorClock a = t.ca();
    NodeId id = World.node(node);
    long next = a.counter(id) + 1;
    VectorClock inc = a.increment(id, t.world().dot(node, next).timestampMillis());
    assertThat(inc.compare(a)).isEqualTo(Occurs.AFTER);
    assertThat(a.compare(inc)).isEqualTo(Occurs.BEFORE);
    assertThat(inc.counter(id)).isEqualTo(next);
    assertThat(inc.covers(t.world().dot(node, next))).isTrue();
    assertThat(a.covers(t.world().dot(node, next))).isFalse();
    Map<NodeId, Long> expected = new TreeMap<>(a.counters());
    expected.put(id, next);
    assertThat(inc.counters()).isEqualTo(expected);
  }

  @Property
  void pruningNeverMakesAClockDominateOneItDidNotDominate(
      @ForAll("clocks") Clocks t, @ForAll @IntRange(min = 0, max = NODES) int max) {
    VectorClock a = t.ca();
    VectorClock pruned = a.prune(max);
    assertThat(pruned.compare(a)).isIn(Occurs.BEFORE, Occurs.EQUAL);
    for (VectorClock other : List.of(t.cb(), t.cc())) {
      if (!atLeast(a, other)) {
        assertThat(atLeast(pruned, other)).as("%s pruned to %s vs %s", a, pruned, other).isFalse();
      }
      // Whatever pruned covers, the original covered.
      for (Dot d : other.entries()) {
        if (pruned.covers(d)) {
          assertThat(a.covers(d)).isTrue();
        }
      }
    }
  }

  @Property
  void pruningKeepsTheNewestEntriesWithinTheBound(
      @ForAll("clocks") Clocks t, @ForAll @IntRange(min = 0, max = NODES) int max) {
    VectorClock a = t.ca();
    VectorClock pruned = a.prune(max);
    assertThat(pruned.size()).isEqualTo(Math.min(a.size(), max));
    Set<Dot> kept = Set.copyOf(pruned.entries());
    assertThat(a.entries()).containsAll(kept);
    for (Dot removed : a.entries()) {
      if (kept.contains(removed)) {
        continue;
      }
      for (Dot k : kept) {
        assertThat(removed.timestampMillis())
            .as("removed %s is newer than kept %s", removed, k)
            .isLessThanOrEqualTo(k.timestampMillis());
      }
    }
  }

  @Property(tries = 10)
  void pruningRejectsANegativeBound(@ForAll("clocks") Clocks t) {
    assertThatThrownBy(() -> t.ca().prune(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void encodedClocksDecodeToTheSameClock(@ForAll("clocks") Clocks t) {
    VectorClock a = t.ca();
    VectorClock decoded = VersionCodec.decodeClock(VersionCodec.encodeClock(a));
    assertThat(decoded).isEqualTo(a);
    // Equality includes the timestamps, which pruning and LWW depend on.
    assertThat(decoded.entries()).containsExactlyElementsOf(a.entries());
  }

  @Property
  void encodedClocksWithExtremeValuesAndUnicodeNodesRoundTrip(
      @ForAll("extremeDots") List<Dot> dots) {
    VectorClock a = VectorClock.of(dots);
    assertThat(VersionCodec.decodeClock(VersionCodec.encodeClock(a)).entries())
        .containsExactlyElementsOf(a.entries());
  }

  @Provide
  Arbitrary<List<Dot>> extremeDots() {
    Arbitrary<String> ids =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('é', 'ß', '中', '-', '.', '_', '0', '9')
            .ofMinLength(1)
            .ofMaxLength(128);
    Arbitrary<Long> counters =
        Arbitraries.oneOf(
            Arbitraries.longs().between(1, Long.MAX_VALUE), Arbitraries.of(1L, 127L, 128L,
                Long.MAX_VALUE));
    Arbitrary<Long> times =
        Arbitraries.oneOf(
            Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.of(0L, Long.MAX_VALUE));
    return Combinators.combine(ids, counters, times)
        .as((id, c, ts) -> new Dot(NodeId.of(id), c, ts))
        .list()
        .ofMaxSize(8)
        .uniqueElements(Dot::node);
  }

  @Property(tries = 1)
  void occursInverseIsAnInvolution() {
    for (Occurs o : EnumSet.allOf(Occurs.class)) {
      assertThat(o.inverse().inverse()).isEqualTo(o);
    }
  }
}

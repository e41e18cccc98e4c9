package io.dynamo.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The merge is a join: commutative, associative, idempotent; digests find what is missing. */
class ClusterStateProperties {
  @Property(tries = 500)
  void mergeIsCommutative(@ForAll long seed, @ForAll boolean honest) {
    ClusterStates g = new ClusterStates(seed, honest);
    ClusterState a = g.state();
    ClusterState b = g.state();
    assertThat(a.merge(b)).isEqualTo(b.merge(a));
  }

  @Property(tries = 500)
  void mergeIsAssociative(@ForAll long seed, @ForAll boolean honest) {
    ClusterStates g = new ClusterStates(seed, honest);
    ClusterState a = g.state();
    ClusterState b = g.state();
    ClusterState c = g.state();
    assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
  }

  @Property(tries = 500)
  void mergeIsIdempotent(@ForAll long seed, @ForAll boolean honest) {
    ClusterStates g = new ClusterStates(seed, honest);
    ClusterState a = g.state();
    ClusterState b = g.state();
    assertThat(a.merge(a)).isEqualTo(a);
    assertThat(a.merge(b).merge(b)).isEqualTo(a.merge(b));
  }

  /** Nodes receiving any subsets of the deltas, in any order, agree once they received them all. */
  @Property(tries = 300)
  void anyOrderOfAnySubsetsConverges(@ForAll long seed, @ForAll boolean honest) {
    ClusterStates g = new ClusterStates(seed, honest);
    Random random = g.random();
    List<ClusterState> deltas = g.states(1 + random.nextInt(8));
    ClusterState all = ClusterState.EMPTY;
    for (ClusterState d : deltas) {
      all = all.merge(d);
    }
    for (int node = 0; node < 4; node++) {
      // First a random subset grouped into partial merges, then everything in a shuffled order.
      ClusterState held = ClusterState.EMPTY;
      ClusterState group = ClusterState.EMPTY;
      for (ClusterState d : deltas) {
        if (random.nextBoolean()) {
          group = group.merge(d);
        }
        if (random.nextInt(3) == 0) {
          held = held.merge(group);
          group = ClusterState.EMPTY;
        }
      }
      held = group.merge(held);
      List<ClusterState> shuffled = new ArrayList<>(deltas);
      Collections.shuffle(shuffled, random);
      for (ClusterState d : shuffled) {
        held = held.merge(d);
      }
      assertThat(held).isEqualTo(all);
    }
  }

  @Property(tries = 300)
  void aRestartedNodeReplacesItsOldEntries(@ForAll long seed) {
    ClusterStates g = new ClusterStates(seed, false);
    ClusterState before = g.state();
    Random random = g.random();
    int node = random.nextInt(ClusterStates.NODES);
    NodeEntry old = g.entry(node, 5, 1_000 + random.nextInt(1_000));
    NodeEntry restarted = g.entry(node, 6, 0);
    ClusterState a = before.with(old).with(restarted);
    ClusterState b = before.with(restarted).with(old);
    assertThat(a.node(restarted.id())).isEqualTo(restarted);
    assertThat(b).isEqualTo(a);
  }

  /** Two claimants that both committed version v+1 in two halves: every node keeps one winner. */
  @Property(tries = 300)
  void concurrentClaimantsResolveToOneWinner(@ForAll long seed, @ForAll boolean honest) {
    ClusterStates g = new ClusterStates(seed, honest);
    Random random = g.random();
    long v = 1 + random.nextInt(5);
    RingState left = g.ring(v, 0);
    RingState right = g.ring(v, 1 + random.nextInt(2));
    ClusterState base = g.state();
    ClusterState oneWay = base.with(left).with(right);
    ClusterState otherWay = base.with(right).with(left);
    assertThat(oneWay).isEqualTo(otherWay);
    RingState winner = RingState.ORDER.compare(left, right) >= 0 ? left : right;
    if (base.ring().version() <= v) {
      assertThat(oneWay.ring()).isEqualTo(base.ring().max(winner));
    }
    // The digest orders them the same way as the full comparison.
    assertThat(Integer.signum(left.ringVersion().compareTo(right.ringVersion())))
        .isEqualTo(Integer.signum(RingState.ORDER.compare(left, right)));
  }

  /** What b lacks according to its digest is exactly what merging all of a would bring. */
  @Property(tries = 500)
  void newerThanDigestCarriesEverythingMissing(@ForAll long seed) {
    ClusterStates g = new ClusterStates(seed, true);
    ClusterState a = g.state();
    ClusterState b = g.state();
    ClusterState delta = a.newerThan(b.digest());
    assertThat(b.merge(delta)).isEqualTo(b.merge(a));
    assertThat(b.isBehind(a.digest())).isEqualTo(!b.merge(a).equals(b));
    assertThat(a.newerThan(a.digest()).isEmpty()).isTrue();
  }
}

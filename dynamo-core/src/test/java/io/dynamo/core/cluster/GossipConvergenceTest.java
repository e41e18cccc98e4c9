package io.dynamo.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gossip spreads a change to every node in O(log n) rounds, with and without message loss. */
class GossipConvergenceTest {
  @Test
  void aRingChangeReachesEveryNode() {
    for (int n : new int[] {10, 100, 1000}) {
      for (long seed = 1; seed <= (n >= 1000 ? 1 : 5); seed++) {
        int rounds = GossipSimulation.roundsToSpreadRing(n, 3, seed, 0);
        assertThat(rounds).as("n=%d seed=%d", n, seed).isBetween(1, 5 + 3 * log2(n));
      }
    }
  }

  @Test
  void aRingChangeReachesEveryNodeDespiteLoss() {
    for (long seed = 1; seed <= 5; seed++) {
      int rounds = GossipSimulation.roundsToSpreadRing(100, 3, seed, 0.2);
      assertThat(rounds).as("seed=%d", seed).isBetween(1, 40);
    }
  }

  @Test
  void sameSeedSameTrace() {
    int a = GossipSimulation.roundsToSpreadRing(100, 2, 42, 0.1);
    int b = GossipSimulation.roundsToSpreadRing(100, 2, 42, 0.1);
    assertThat(a).isEqualTo(b).isPositive();
  }

  /** New nodes that know only a seed's address join, and every node learns every entry. */
  @Test
  void newNodesJoinThroughASeed() {
    NodeId claimant = GossipSimulation.entry(0).id();
    RingState ring = RingState.initial(claimant, 16, 3, BucketDefaults.DEFAULT);
    GossipSimulation sim = GossipSimulation.converged(20, 3, 7, 0.1, ring);
    String seed = GossipSimulation.entry(0).peerAddress();
    List<NodeEntry> joiners = new ArrayList<>();
    for (int i = 20; i < 25; i++) {
      NodeEntry e = GossipSimulation.entry(i);
      joiners.add(e);
      sim.add(e, ClusterState.EMPTY, 3, List.of(seed, e.peerAddress()));
    }
    int rounds = sim.roundsUntil(s -> s.nodes().size() == 25 && s.ring().equals(ring), 50);
    assertThat(rounds).isPositive();
    for (Gossiper g : sim.nodes()) {
      for (NodeEntry e : joiners) {
        assertThat(g.state().status(e.id())).isEqualTo(MemberStatus.JOINING);
      }
    }
  }

  /** A node restarted with a higher generation and new address replaces its old entry everywhere. */
  @Test
  void aRestartedNodeIsKnownByItsNewEntry() {
    RingState ring = RingState.initial(GossipSimulation.entry(0).id(), 16, 3, BucketDefaults.DEFAULT);
    GossipSimulation sim = GossipSimulation.converged(30, 3, 11, 0, ring);
    NodeEntry old = GossipSimulation.entry(5);
    // The node had published several versions in its first life.
    for (int i = 0; i < 3; i++) {
      sim.nodes().get(5).updateSelf(old.peerAddress(), old.clientAddress(), 1, "");
    }
    assertThat(sim.roundsUntil(s -> s.node(old.id()).version() == 3, 50)).isPositive();
    NodeEntry reborn = new NodeEntry(old.id(), "10.9.9.9:7000", old.clientAddress(), 2, "z", 2, 0);
    // The restarted process starts from its stored state, which still holds the old entry.
    Gossiper restarted =
        sim.add(reborn, sim.nodes().get(5).state(), 3, List.of());
    sim.nodes().remove(5);
    assertThat(restarted.selfEntry()).isEqualTo(reborn);
    assertThat(sim.roundsUntil(s -> reborn.equals(s.node(old.id())), 50)).isPositive();
  }

  private static int log2(int n) {
    return 32 - Integer.numberOfLeadingZeros(n - 1);
  }
}

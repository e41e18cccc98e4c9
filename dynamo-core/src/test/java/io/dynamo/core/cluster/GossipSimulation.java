package io.dynamo.core.cluster;

import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Gossipers wired to an in-memory network, run in synchronous rounds on one thread from one seed:
 * in each round every node (in a shuffled order) calls {@link Gossiper#round()}, then messages are
 * delivered, replies included, until none is left. Each message is lost with probability {@code
 * loss}. Messages pass as {@link Envelope} objects, serialized once to check they encode.
 */
final class GossipSimulation {
  record Message(NodeId from, NodeId to, Envelope envelope) {}

  private final Random random;
  private final double loss;
  private final List<Gossiper> nodes = new ArrayList<>();
  private final Map<NodeId, Gossiper> byId = new HashMap<>();
  private final Map<String, NodeId> byAddress = new HashMap<>();
  private final ArrayDeque<Message> queue = new ArrayDeque<>();
  private long sent;
  private long lost;

  GossipSimulation(long seed, double loss) {
    this.random = new Random(seed);
    this.loss = loss;
  }

  static NodeEntry entry(int i) {
    return NodeEntry.of(NodeId.of(String.format("node-%05d", i)),
        "10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff) + ":7000",
        "10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff) + ":9000", 1, "", 1);
  }

  /** {@code n} nodes that all start from {@code initial} (which should hold their entries). */
  static GossipSimulation converged(int n, int fanout, long seed, double loss, RingState ring) {
    GossipSimulation sim = new GossipSimulation(seed, loss);
    List<NodeEntry> entries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      entries.add(entry(i));
    }
    ClusterState initial = ClusterState.of(entries, ring);
    for (NodeEntry e : entries) {
      sim.add(e, initial, fanout, List.of());
    }
    return sim;
  }

  Gossiper add(NodeEntry self, ClusterState initial, int fanout, List<String> seeds) {
    NodeId id = self.id();
    Gossiper g = new Gossiper(
        self, initial, fanout, seeds, new Random(random.nextLong()),
        (to, msg) -> enqueue(id, to, msg),
        (address, msg) -> {
          NodeId to = byAddress.get(address);
          if (to != null) {
            enqueue(id, to, msg);
          }
        },
        state -> {});
    nodes.add(g);
    byId.put(id, g);
    byAddress.put(self.peerAddress(), id);
    return g;
  }

  private void enqueue(NodeId from, NodeId to, Envelope msg) {
    sent++;
    if (loss > 0 && random.nextDouble() < loss) {
      lost++;
      return;
    }
    queue.add(new Message(from, to, msg));
  }

  /** One round: every node gossips, then every message and reply is delivered. */
  void round() {
    List<Gossiper> order = new ArrayList<>(nodes);
    java.util.Collections.shuffle(order, random);
    for (Gossiper g : order) {
      g.round();
    }
    while (!queue.isEmpty()) {
      Message m = queue.poll();
      Gossiper to = byId.get(m.to());
      if (to != null) {
        to.onMessage(m.from(), m.envelope());
      }
    }
  }

  /** Rounds until every node's state passes {@code done}, or -1 after {@code maxRounds}. */
  int roundsUntil(Predicate<ClusterState> done, int maxRounds) {
    for (int r = 1; r <= maxRounds; r++) {
      round();
      if (allHold(done)) {
        return r;
      }
    }
    return -1;
  }

  boolean allHold(Predicate<ClusterState> done) {
    for (Gossiper g : nodes) {
      if (!done.test(g.state())) {
        return false;
      }
    }
    return true;
  }

  List<Gossiper> nodes() {
    return nodes;
  }

  long sent() {
    return sent;
  }

  long lost() {
    return lost;
  }

  /**
   * The experiment of docs/gossip.md: {@code n} converged nodes; node 0, the claimant, commits ring
   * version 2; returns the rounds until every node holds it.
   */
  static int roundsToSpreadRing(int n, int fanout, long seed, double loss) {
    NodeId claimant = entry(0).id();
    RingState v1 = RingState.initial(claimant, 64, 3, BucketDefaults.DEFAULT);
    GossipSimulation sim = converged(n, fanout, seed, loss, v1);
    RingState v2 = v1.edit().status(entry(1).id(), MemberStatus.VALID).commit(claimant);
    sim.nodes().get(0).commitRing(v2);
    return sim.roundsUntil(s -> s.ring().equals(v2), 500);
  }
}

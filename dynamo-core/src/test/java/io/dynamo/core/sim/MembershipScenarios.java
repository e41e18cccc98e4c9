package io.dynamo.core.sim;

import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.membership.Claimant;
import io.dynamo.core.membership.MembershipService;
import io.dynamo.core.membership.NotClaimantException;
import io.dynamo.core.membership.PlanChangedException;
import io.dynamo.core.membership.StagedChange;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Operator actions and settling conditions for simulations of clusters that run membership
 * ({@link SimulatedCluster#withMembership}).
 */
final class MembershipScenarios {
  private MembershipScenarios() {}

  /**
   * Q = 16, N = 3, R = W = 2, the real failure detector, handoff on, messages delayed up to
   * 2-20 ms with a slow tail, and lost with probability up to {@code maxDrop}.
   */
  static SimulationConfig config(Random random, int nodes, double maxDrop) {
    long maxDelay = 2 + random.nextInt(19);
    NetworkOptions network =
        new NetworkOptions(
            maxDrop == 0 ? 0 : random.nextDouble() * maxDrop, random.nextInt(2), maxDelay,
            random.nextDouble() * 0.05, maxDelay * (2 + random.nextInt(5)));
    ProtocolSettings settings = new ProtocolSettings(1_000, 50, 1024, 100, 100, 2_000, true);
    return new SimulationConfig(
        nodes, 16, 3, 2, 2, network, 0, 1 + random.nextInt(3), settings, 2_000,
        SimulationConfig.SIM_DETECTOR, 1);
  }

  /** Whether {@code id} can act now (an operator can talk to it): up and not paused. */
  static boolean reachable(SimulatedCluster cluster, NodeId id) {
    return cluster.isUp(id) && !cluster.node(id).isPaused();
  }

  /**
   * An operator talking to {@code via} stages {@code changes} on the claimant {@code via} names and
   * commits them, retrying (every 200 ms, at most {@code limitMillis}) while the claimant is not
   * reachable, the plan changes under it, or moves are under way. Returns the committed ring, or
   * null if it never could commit.
   */
  static RingState commit(
      SimulatedCluster cluster, List<NodeId> via, List<StagedChange> changes, long limitMillis) {
    long deadline = cluster.queue().now() + limitMillis;
    String last = "never tried";
    while (cluster.queue().now() < deadline) {
      for (NodeId entry : via) {
        if (!reachable(cluster, entry)) {
          continue;
        }
        NodeId claimant = cluster.node(entry).membership().claimant();
        if (claimant == null || !reachable(cluster, claimant) || !via.contains(claimant)
            && !cluster.network().connected(entry, claimant)) {
          last = entry + " names claimant " + claimant + ", not reachable";
          continue;
        }
        MembershipService m = cluster.node(claimant).membership();
        m.clearStaged();
        Claimant.Plan plan = null;
        for (StagedChange c : changes) {
          plan = m.stage(c);
        }
        if (!plan.committable()) {
          last = "plan on " + claimant + " not committable: " + plan.problems();
          m.clearStaged();
          continue;
        }
        try {
          RingState ring = m.commit(plan.hash());
          cluster.note("operator via " + entry + ": " + changes + " committed by " + claimant
              + " as ring v" + ring.version() + " (" + ring.moves().size() + " moves)");
          return ring;
        } catch (NotClaimantException | PlanChangedException e) {
          last = claimant + " refused: " + e.getMessage();
          m.clearStaged();
        }
      }
      cluster.runFor(200);
    }
    cluster.note("operator gave up on " + changes + ": " + last);
    return null;
  }

  /** Nodes up and not retired. */
  static List<NodeId> live(SimulatedCluster cluster) {
    List<NodeId> out = new ArrayList<>();
    for (NodeId id : cluster.nodeIds()) {
      if (!cluster.isRetired(id) && cluster.isUp(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** Every node in {@code nodes} is up and holds one and the same ring, with no move under way. */
  static boolean settled(SimulatedCluster cluster, List<NodeId> nodes) {
    RingState first = null;
    for (NodeId id : nodes) {
      if (!cluster.isUp(id)) {
        return false;
      }
      RingState ring = cluster.node(id).membership().state().ring();
      if (ring.isNone() || !ring.moves().isEmpty() || first != null && !first.equals(ring)) {
        return false;
      }
      first = ring;
    }
    return first != null;
  }

  /** Each node's membership as it sees it: for failure messages. */
  static String describe(SimulatedCluster cluster) {
    StringBuilder out = new StringBuilder();
    for (NodeId id : cluster.nodeIds()) {
      SimulatedNode node = cluster.node(id);
      MembershipService m = node.membership();
      RingState ring = m.state().ring();
      out.append("\n  ").append(id).append(node.isUp() ? "" : " (down)")
          .append(cluster.isRetired(id) ? " (retired)" : "")
          .append(": ring v").append(ring.version()).append(" by ").append(ring.claimant())
          .append(", claimant ").append(node.isUp() ? m.claimant() : "?")
          .append(", ").append(ring.statuses())
          .append(", moves ").append(ring.moves());
      m.state().nodes().values().forEach(e -> out.append("\n      entry ").append(e.id())
          .append(" gen ").append(e.generation()).append(" v").append(e.version())
          .append(" applied ").append(e.ringApplied()).append(" copied ").append(e.copied()));
      if (node.isUp()) {
        out.append("\n      transfers ").append(m.transfers().incoming());
      }
    }
    return out.toString();
  }

  /** Waits until {@link #settled} holds for the live nodes; false if it did not in time. */
  static boolean settle(SimulatedCluster cluster, long limitMillis) {
    return cluster.runUntil(() -> settled(cluster, live(cluster)), 100, limitMillis);
  }

  /** Problems with the final ring: each partition has exactly N distinct valid owners, no moves. */
  static List<String> ringProblems(SimulatedCluster cluster, RingState ring, int n) {
    List<String> problems = new ArrayList<>();
    if (!ring.moves().isEmpty()) {
      problems.add("moves still pending: " + ring.moves());
    }
    for (int p = 0; p < ring.partitions(); p++) {
      List<NodeId> owners = ring.table().owners(p);
      Set<NodeId> distinct = new HashSet<>(owners);
      if (owners.size() != n || distinct.size() != n) {
        problems.add("partition " + p + " has owners " + owners + ", not " + n + " distinct");
      }
      for (NodeId o : owners) {
        if (ring.statuses().get(o) != MemberStatus.VALID) {
          problems.add("partition " + p + " owner " + o + " is " + ring.statuses().get(o));
        }
        if (cluster.isRetired(o) || !cluster.isUp(o)) {
          problems.add("partition " + p + " owner " + o + " is retired or down");
        }
      }
    }
    for (NodeId id : live(cluster)) {
      RingState held = cluster.node(id).membership().state().ring();
      if (!held.equals(ring)) {
        problems.add(id + " holds ring v" + held.version() + " by " + held.claimant() + ", not v"
            + ring.version() + " by " + ring.claimant());
      }
    }
    return problems;
  }

  /**
   * Faults while membership changes: every 1.5 to 4 s, one node not in {@code spared} is crashed
   * and restarted 0.5 to 3 s later, or paused as long, one node at a time, until {@code on} is
   * false.
   */
  static final class Chaos {
    private final SimulatedCluster cluster;
    private final Random random;
    final Set<NodeId> spared = new HashSet<>();
    private boolean on = true;
    private NodeId victim;

    Chaos(SimulatedCluster cluster) {
      this.cluster = cluster;
      this.random = cluster.random();
    }

    void start() {
      next();
    }

    /** Stops injecting; the node under a fault recovers at once. */
    void stop() {
      on = false;
      heal();
    }

    private void heal() {
      if (victim != null && !cluster.isRetired(victim)) { // a retired node stays as it is
        if (cluster.isUp(victim)) {
          cluster.resume(victim);
        } else {
          cluster.restart(victim);
        }
      }
      victim = null;
    }

    private void next() {
      cluster.queue().schedule(1_500 + random.nextInt(2_500), "chaos", this::strike);
    }

    /**
     * Within 400 ms, crashes or pauses any live node but those in {@code exclude} (spared ones
     * too: the node joining or leaving, the claimant), if no node is under a fault already: a fault
     * in the middle of the moves a commit just started.
     */
    void strikeSoon(Set<NodeId> exclude) {
      cluster.queue().schedule(random.nextInt(400), "chaos (after commit)", () -> hit(exclude));
    }

    private void strike() {
      if (!on) {
        return;
      }
      hit(spared);
      next();
    }

    private void hit(Set<NodeId> exclude) {
      if (!on) {
        return;
      }
      List<NodeId> candidates = new ArrayList<>();
      for (NodeId id : live(cluster)) {
        if (!exclude.contains(id)) {
          candidates.add(id);
        }
      }
      if (victim == null && !candidates.isEmpty()) {
        NodeId v = candidates.get(random.nextInt(candidates.size()));
        victim = v;
        if (random.nextBoolean()) {
          cluster.crash(v);
        } else {
          cluster.pause(v);
        }
        cluster.queue().schedule(500 + random.nextInt(2_500), "chaos heal", () -> {
          if (on && v.equals(victim)) {
            heal();
          }
        });
      }
    }
  }
}

package io.dynamo.core.sim;

import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random faults while it is active, one every {@code minGap..maxGap} ms of simulated time, drawn
 * from the cluster's random source: process crashes and restarts, partitions (a random side cut off
 * from the rest, or one link one way) and heals, changes of the random drop rate, and, when enabled,
 * power losses of a random set of nodes at once (1 to all of them), and, when enabled, pauses of a
 * running node (SIGSTOP) for up to {@code maxPauseMillis}. Every fault is noted in the cluster, so
 * failure messages list them.
 */
final class SimulatedFaults {
  private final SimulatedCluster cluster;
  private final Random random;
  private final boolean powerLoss;
  private final double maxDrop;
  private final long minGapMillis;
  private final long maxGapMillis;
  private final long maxPauseMillis;
  private boolean active;
  private int injected;

  SimulatedFaults(
      SimulatedCluster cluster, boolean powerLoss, double maxDrop, long minGapMillis, long maxGapMillis) {
    this(cluster, powerLoss, maxDrop, minGapMillis, maxGapMillis, 0);
  }

  /** @param maxPauseMillis 0: no pauses (and the seed's random stream is as without them) */
  SimulatedFaults(
      SimulatedCluster cluster,
      boolean powerLoss,
      double maxDrop,
      long minGapMillis,
      long maxGapMillis,
      long maxPauseMillis) {
    this.maxPauseMillis = maxPauseMillis;
    this.cluster = cluster;
    this.random = cluster.random();
    this.powerLoss = powerLoss;
    this.maxDrop = maxDrop;
    this.minGapMillis = minGapMillis;
    this.maxGapMillis = maxGapMillis;
  }

  void start() {
    active = true;
    scheduleNext();
  }

  /** No faults after this; those already injected stay until healed. */
  void stop() {
    active = false;
  }

  int injected() {
    return injected;
  }

  private void scheduleNext() {
    cluster.queue().schedule(random.nextLong(minGapMillis, maxGapMillis + 1), "fault", this::inject);
  }

  private void inject() {
    if (!active) {
      return;
    }
    List<NodeId> up = new ArrayList<>();
    List<NodeId> down = new ArrayList<>();
    for (NodeId id : cluster.nodeIds()) {
      (cluster.isUp(id) ? up : down).add(id);
    }
    if (maxPauseMillis > 0 && random.nextInt(100) < 35) {
      List<NodeId> running = up.stream().filter(id -> !cluster.node(id).isPaused()).toList();
      if (!running.isEmpty()) {
        NodeId victim = pick(running);
        cluster.pause(victim);
        cluster.queue().schedule(
            random.nextLong(50, maxPauseMillis + 1), "resume " + victim, () -> cluster.resume(victim));
        injected++;
        scheduleNext();
        return;
      }
    }
    int choice = random.nextInt(100);
    if (choice < 25 && !up.isEmpty()) {
      cluster.crash(pick(up));
    } else if (choice < 55 && !down.isEmpty()) {
      cluster.restart(pick(down));
    } else if (choice < 67) {
      List<NodeId> side = new ArrayList<>();
      for (NodeId id : cluster.nodeIds()) {
        if (random.nextBoolean()) {
          side.add(id);
        }
      }
      cluster.network().partition(side);
      cluster.note("partition " + side + " from the rest");
    } else if (choice < 72) {
      NodeId from = cluster.randomNode();
      NodeId to = cluster.randomNode();
      if (!from.equals(to)) {
        cluster.network().cutOneWay(from, to);
        cluster.note("cut " + from + " -> " + to);
      }
    } else if (choice < 84) {
      cluster.network().heal();
      cluster.note("heal network");
    } else if (choice < 92 || !powerLoss) {
      double p = random.nextDouble() * maxDrop;
      cluster.network().setOptions(cluster.network().options().withDropProbability(p));
      cluster.note(String.format("drop rate %.3f", p));
    } else {
      List<NodeId> all = new ArrayList<>(cluster.nodeIds());
      int count = 1 + random.nextInt(all.size());
      for (int i = 0; i < count; i++) {
        cluster.powerLoss(all.remove(random.nextInt(all.size())));
      }
    }
    injected++;
    scheduleNext();
  }

  private NodeId pick(List<NodeId> nodes) {
    return nodes.get(random.nextInt(nodes.size()));
  }
}

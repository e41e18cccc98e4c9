package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.node.ReadPolicy;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.SiblingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The failure path, whole: a random workload on a cluster running the real failure detector, with
 * random faults (crashes, restarts, partitions, drops and, when asked, power losses), then a heal
 * phase, then checks that no acknowledged write was lost anywhere it should be.
 *
 * <ol>
 *   <li><b>Workload phase.</b> Random clients (see {@link SimulatedWorkload}) while {@link
 *       SimulatedFaults} injects faults, until every client has finished.
 *   <li><b>Heal phase.</b> Faults stop, the network heals and stops dropping, every node down is
 *       restarted; after 1 s (so every detector has heard every restarted node), the cluster runs
 *       until every node believes every other up and every hint queue is empty (at most 30 s more).
 *   <li><b>Final reads.</b> A get with R = N of every key (a read of every home replica, which also
 *       repairs the stale ones), then 2 s for those repairs to land.
 * </ol>
 *
 * Then it checks: the history with {@link AcknowledgedWritesChecker} (lost writes judged on the final
 * reads only: during faults a sloppy quorum may miss a write); every final read succeeded; every home
 * replica of a key (its preference list of N) holds every acknowledged put of that key in its local
 * storage, or a version superseding it; no node holds a hint.
 */
final class FailureScenarios {
  static final long SETTLE_MILLIS = 1_000;
  static final long HEAL_LIMIT_MILLIS = 30_000;
  static final long FINAL_READ_LIMIT_MILLIS = 10_000;
  static final long REPAIR_SETTLE_MILLIS = 2_000;

  private FailureScenarios() {}

  /** What one run did, and the problems the checks found (empty: all fine). */
  record Outcome(SimulatedCluster cluster, List<String> problems, int faults) {}

  /**
   * One run of the failure path from {@code seed}.
   *
   * @param durability the nodes' disks
   * @param powerLoss whether power losses are among the faults
   * @param handoff whether hinted handoff runs (off only to show that the checks notice)
   */
  static Outcome run(
      long seed,
      SimulatedTrace trace,
      SimulatedDisk.Durability durability,
      boolean powerLoss,
      boolean handoff) {
    return run(seed, trace, durability, powerLoss, handoff, 1);
  }

  /** As above, with {@code shards} protocol shards per node. */
  static Outcome run(
      long seed,
      SimulatedTrace trace,
      SimulatedDisk.Durability durability,
      boolean powerLoss,
      boolean handoff,
      int shards) {
    return run(seed, trace, durability, powerLoss, handoff, shards, ReadPolicy.DEFAULT);
  }

  /** As above, with gets asking replicas as {@code reads} says. */
  static Outcome run(
      long seed,
      SimulatedTrace trace,
      SimulatedDisk.Durability durability,
      boolean powerLoss,
      boolean handoff,
      int shards,
      ReadPolicy reads) {
    Random random = new Random(seed);
    SimulationConfig base = SimulationConfig.failurePath(random, 0.05, handoff).withShards(shards);
    SimulationConfig config = base.withSettings(base.settings().withReads(reads));
    long flushDelay = 100 + random.nextInt(2_000);
    SimulatedCluster cluster = SimulatedCluster.withDisks(config, random, trace, durability, flushDelay);
    cluster.note(durability + " disks, flush delay " + flushDelay + " ms, handoff " + (handoff ? "on" : "off")
        + ", " + shards + " shard(s) per node");
    SimulatedFaults faults = new SimulatedFaults(cluster, powerLoss, 0.10, 50, 1_000);
    SimulatedWorkload workload =
        new SimulatedWorkload(
            cluster, SimulationScenarios.BUCKET, 1 + random.nextInt(6), 2 + random.nextInt(5),
            20 + random.nextInt(30), random.nextInt(100));
    List<String> problems = new ArrayList<>();

    // Workload phase.
    faults.start();
    workload.start();
    if (!cluster.runUntil(workload::done, 50, 600_000)) {
      problems.add("the workload did not finish within 600 s of simulated time");
    }
    faults.stop();

    // Heal phase.
    cluster.note("heal phase");
    cluster.network().heal();
    cluster.network().setOptions(cluster.network().options().withDropProbability(0));
    for (NodeId id : cluster.nodeIds()) {
      if (!cluster.isUp(id)) {
        cluster.restart(id);
      }
    }
    // A node that crashed just before the heal may not be suspected yet, and will be until its new
    // incarnation's heartbeats arrive: give every detector a second (twice the detection time)
    // before asking whether everyone sees everyone up, so the answer is stable.
    cluster.runFor(SETTLE_MILLIS);
    boolean settled =
        cluster.runUntil(
            () -> cluster.everyoneSeesEveryoneUp() && totalHints(cluster) == 0, 100, HEAL_LIMIT_MILLIS);
    if (!settled) {
      problems.add(
          "not settled " + HEAL_LIMIT_MILLIS + " ms after healing: hints held " + cluster.pendingHints()
              + (cluster.everyoneSeesEveryoneUp() ? "" : ", and some node still suspects a peer"));
    }

    // Final reads, which repair every stale home replica.
    cluster.note("final reads");
    SimulatedClient reader = cluster.newClient("final");
    for (ByteString key : workload.keys()) {
      reader.get(cluster.randomNode(), SimulationScenarios.BUCKET, key, config.n(), null);
    }
    if (!cluster.runUntil(() -> reader.outstanding() == 0, 50, FINAL_READ_LIMIT_MILLIS)) {
      problems.add("final reads still unanswered after " + FINAL_READ_LIMIT_MILLIS + " ms");
    }
    cluster.runFor(REPAIR_SETTLE_MILLIS);

    problems.addAll(cluster.violations());
    problems.addAll(
        AcknowledgedWritesChecker.check(cluster.history(), get -> get.client().equals("final")));
    cluster.history().ops().stream()
        .filter(op -> op.client().equals("final") && !op.succeeded())
        .forEach(op -> problems.add("final read of a healed cluster failed: " + op));
    problems.addAll(homeReplicaProblems(cluster));
    cluster.pendingHints().forEach((id, count) -> {
      if (count != 0) {
        problems.add("hints not drained: " + id + " still holds " + count);
      }
    });
    return new Outcome(cluster, problems, faults.injected());
  }

  static long totalHints(SimulatedCluster cluster) {
    return cluster.pendingHints().values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Every acknowledged put must be in the local storage of each of its key's N home replicas:
   * a stored version is that put (same event) or supersedes it (its clock covers the put's event).
   */
  static List<String> homeReplicaProblems(SimulatedCluster cluster) {
    List<String> problems = new ArrayList<>();
    Ring ring = cluster.ring();
    int n = cluster.config().n();
    for (AcknowledgedWritesChecker.Acked a : AcknowledgedWritesChecker.acknowledgedPuts(cluster.history())) {
      String bucket = a.op().key().bucket();
      byte[] key = a.op().key().key().toByteArray();
      DataKey dataKey = new DataKey(ring.partitionOf(bucket, key), bucket, key);
      for (NodeId home : ring.preferenceList(bucket, key, n)) {
        SiblingSet stored = storedOn(cluster, home, dataKey);
        if (stored.versions().stream().noneMatch(v -> v.clock().covers(a.dot()))) {
          problems.add(
              "home replica " + home + " of " + a.op().key() + " lacks acknowledged put of '"
                  + a.value().toStringUtf8() + "' (dot " + a.dot().node() + ":" + a.dot().counter()
                  + ") and anything superseding it; it holds " + stored.versions() + "\n    put: "
                  + a.op());
        }
      }
    }
    return problems;
  }

  static SiblingSet storedOn(SimulatedCluster cluster, NodeId node, DataKey key) {
    return new LocalReplica(cluster.node(node).engine(), cluster.config().settings().maxClockEntries())
        .read(key);
  }
}

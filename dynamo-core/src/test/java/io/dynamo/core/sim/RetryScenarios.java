package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Retried writes under the failure path: {@link RetryingWorkload} clients (every write with a write
 * id, retried through other nodes on no answer or a retryable error within its deadline) while
 * {@link SimulatedFaults} crashes, restarts and pauses nodes (coordinators among them, mid-write),
 * partitions the network and drops messages; then the heal phase and final reads of {@link
 * FailureScenarios}. The checks: no acknowledged write lost ({@link AcknowledgedWritesChecker} on
 * the final reads, and on every home replica's storage), none ever present twice ({@link
 * DuplicateWritesChecker}: in any get, or in any node's storage at the end), hints drained.
 */
final class RetryScenarios {
  /** Client deadline per operation, and one attempt's share of it. */
  static final long DEADLINE_MILLIS = 2_000;
  static final long ATTEMPT_MILLIS = 600;
  static final long MAX_PAUSE_MILLIS = 1_500;

  private RetryScenarios() {}

  /** Run outcome, plus how many retries and faults it had. */
  record Outcome(SimulatedCluster cluster, List<String> problems, int retries, int faults) {}

  /**
   * @param writeIds whether writes carry write ids (off only to show that the duplicate checker
   *     catches what unsafe retries do)
   */
  static Outcome run(long seed, SimulatedTrace trace, boolean writeIds) {
    Random random = new Random(seed);
    SimulationConfig config = SimulationConfig.failurePath(random, 0.05, true);
    SimulatedCluster cluster =
        SimulatedCluster.withDisks(config, random, trace, SimulatedDisk.Durability.NO_SYNC, 100);
    cluster.note("retrying clients, write ids " + (writeIds ? "on" : "off"));
    SimulatedFaults faults = new SimulatedFaults(cluster, false, 0.10, 50, 600, MAX_PAUSE_MILLIS);
    RetryingWorkload workload =
        new RetryingWorkload(
            cluster, SimulationScenarios.BUCKET, 1 + random.nextInt(4), 2 + random.nextInt(5),
            15 + random.nextInt(25), random.nextInt(60), DEADLINE_MILLIS, ATTEMPT_MILLIS, writeIds);
    List<String> problems = new ArrayList<>();

    faults.start();
    workload.start();
    if (!cluster.runUntil(workload::done, 50, 600_000)) {
      problems.add("the workload did not finish within 600 s of simulated time");
    }
    faults.stop();

    cluster.note("heal phase");
    cluster.network().heal();
    cluster.network().setOptions(cluster.network().options().withDropProbability(0));
    for (NodeId id : cluster.nodeIds()) {
      cluster.resume(id);
      if (!cluster.isUp(id)) {
        cluster.restart(id);
      }
    }
    cluster.runFor(FailureScenarios.SETTLE_MILLIS);
    boolean settled =
        cluster.runUntil(
            () -> cluster.everyoneSeesEveryoneUp() && FailureScenarios.totalHints(cluster) == 0,
            100, FailureScenarios.HEAL_LIMIT_MILLIS);
    if (!settled) {
      problems.add("not settled " + FailureScenarios.HEAL_LIMIT_MILLIS + " ms after healing: hints held "
          + cluster.pendingHints());
    }

    cluster.note("final reads");
    SimulatedClient reader = cluster.newClient("final");
    for (ByteString key : workload.keys()) {
      reader.get(cluster.randomNode(), SimulationScenarios.BUCKET, key, config.n(), null);
    }
    if (!cluster.runUntil(() -> reader.outstanding() == 0, 50, FailureScenarios.FINAL_READ_LIMIT_MILLIS)) {
      problems.add("final reads still unanswered");
    }
    cluster.runFor(FailureScenarios.REPAIR_SETTLE_MILLIS);

    problems.addAll(cluster.violations());
    problems.addAll(
        AcknowledgedWritesChecker.check(cluster.history(), get -> get.client().equals("final")));
    problems.addAll(DuplicateWritesChecker.check(cluster));
    cluster.history().ops().stream()
        .filter(op -> op.client().equals("final") && !op.succeeded())
        .forEach(op -> problems.add("final read of a healed cluster failed: " + op));
    problems.addAll(FailureScenarios.homeReplicaProblems(cluster));
    cluster.pendingHints().forEach((id, count) -> {
      if (count != 0) {
        problems.add("hints not drained: " + id + " still holds " + count);
      }
    });
    return new Outcome(cluster, problems, workload.retries(), faults.injected());
  }
}

package io.dynamo.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dynamo.core.antientropy.AntiEntropySettings;
import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.PartitionRepairStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Deleted keys stay deleted while their tombstones are collected: handoff, read repair and
 * anti-entropy on, tombstones collectable 1 s after the delete. A workload of gets, puts and deletes
 * runs through drops, crashes, restarts and partitions, and one node is down for a long stretch of
 * it, missing deletes, and comes back well after their tombstones could have been purged. After
 * healing and a while for exchanges and collection, reads at R = N must never return a value an
 * acknowledged delete made obsolete, nor miss an acknowledged write; and collection must keep up:
 * tombstones purged, and in at most a tenth of the runs an owner still holds a tombstone-only
 * record past the grace period at the end.
 */
class TombstoneCollectionTest {
  private static final int SEEDS = 300;
  static final AntiEntropySettings SIM_GC =
      new AntiEntropySettings(true, 2_000, 100, 1_000, 0, 1, 1_000, 0, 2_000, 1_000);
  private static final AtomicLong runsWithDeletes = new AtomicLong();
  private static final AtomicLong runsThatPurged = new AtomicLong();
  private static final AtomicLong purged = new AtomicLong();
  private static final AtomicLong leftTotal = new AtomicLong();
  private static final AtomicLong runsWithLeft = new AtomicLong();

  @TestFactory
  Stream<DynamicTest> deletedKeysStayDeletedWhileTombstonesAreCollected() {
    return SimulationSeeds.forEach(getClass(), SEEDS, seed -> {
      SimulatedCluster cluster = run(seed);
      SimulationAssertions.assertNoProblems(cluster, problems(cluster));
    });
  }

  @AfterAll
  static void collectionHappened() {
    System.out.println("tombstone collection: " + purged.get() + " tombstones purged; "
        + runsThatPurged.get() + " of " + runsWithDeletes.get() + " runs with deletes purged some; "
        + leftTotal.get() + " collectable tombstones left in " + runsWithLeft.get() + " runs");
    // Liveness: collection keeps up (a run may end with a round still to come).
    if (runsWithDeletes.get() >= 20) {
      assertThat(purged.get()).as("tombstones purged").isPositive();
      assertThat(runsWithLeft.get()).as("runs ending with collectable tombstones left")
          .isLessThanOrEqualTo(runsWithDeletes.get() / 10);
    }
  }

  private static List<String> problems(SimulatedCluster cluster) {
    List<String> problems = new ArrayList<>(cluster.violations());
    problems.addAll(AcknowledgedWritesChecker.check(cluster.history(), g -> g.client().equals("final")));
    problems.addAll(ResurrectionChecker.check(cluster.history(), g -> g.client().equals("final")));
    cluster.history().ops().stream()
        .filter(op -> op.client().equals("final") && !op.succeeded())
        .forEach(op -> problems.add("final read of a healed cluster failed: " + op));
    return problems;
  }

  /** Tombstone-only records past the grace period still on some owner at the end. */
  private static long collectableLeft(SimulatedCluster cluster) {
    long cutoff = cluster.queue().now() - SIM_GC.tombstoneGraceMillis();
    long left = 0;
    io.dynamo.core.ring.Ring ring = cluster.ring();
    for (int p = 0; p < ring.partitions(); p++) {
      for (NodeId owner : ring.preferenceList(p, cluster.config().n())) {
        long[] n = {0};
        cluster.node(owner).engine().scan(
            io.dynamo.core.storage.Keyspace.DATA,
            io.dynamo.core.storage.DataKey.partitionStart(p),
            io.dynamo.core.storage.DataKey.partitionStart(p + 1),
            (k, v) -> {
              if (io.dynamo.core.antientropy.TombstoneCollector.collectable(v, cutoff)) {
                n[0]++;
              }
              return true;
            });
        left += n[0];
      }
    }
    return left;
  }

  static SimulatedCluster run(long seed) {
    Random random = new Random(seed);
    SimulationConfig config = SimulationConfig.failurePath(random, 0.05, true);
    long flushDelay = 100 + random.nextInt(2_000);
    SimulatedCluster cluster =
        SimulatedCluster.withAntiEntropy(
            config, random, new SimulatedTrace(false), SimulatedDisk.Durability.NO_SYNC, flushDelay,
            SIM_GC);
    SimulatedFaults faults = new SimulatedFaults(cluster, false, 0.10, 50, 1_000);
    SimulatedWorkload workload =
        new SimulatedWorkload(
            cluster, SimulationScenarios.BUCKET, 1 + random.nextInt(6), 2 + random.nextInt(5),
            30 + random.nextInt(40), random.nextInt(100));
    NodeId away = cluster.nodeIds().get(random.nextInt(cluster.nodeIds().size()));
    long awayAt = random.nextInt(1_000);
    long awayFor = 3_000 + random.nextInt(5_000);

    workload.start();
    cluster.runFor(awayAt);
    // One node misses a long stretch of the workload (its deletes included) and comes back after
    // their tombstones are past the grace period. Then random faults until the workload ends.
    cluster.crash(away);
    cluster.note(away + " away from " + cluster.queue().now() + " for " + awayFor + " ms");
    cluster.runFor(awayFor);
    cluster.restart(away);
    faults.start();
    cluster.runUntil(workload::done, 50, 600_000);
    faults.stop();

    cluster.note("heal phase");
    cluster.network().heal();
    cluster.network().setOptions(cluster.network().options().withDropProbability(0));
    for (NodeId id : cluster.nodeIds()) {
      if (!cluster.isUp(id)) {
        cluster.restart(id);
      }
    }
    cluster.runFor(FailureScenarios.SETTLE_MILLIS);
    cluster.runUntil(
        () -> cluster.everyoneSeesEveryoneUp() && FailureScenarios.totalHints(cluster) == 0
            && AntiEntropyConvergenceTest.differingPartitions(cluster).isEmpty()
            && AntiEntropyConvergenceTest.copiesNotOwned(cluster).isEmpty(),
        100, 60_000);
    // Time for collection rounds over every partition.
    cluster.runFor(10_000);

    SimulatedClient reader = cluster.newClient("final");
    for (ByteString key : workload.keys()) {
      reader.get(cluster.randomNode(), SimulationScenarios.BUCKET, key, config.n(), null);
    }
    cluster.runUntil(() -> reader.outstanding() == 0, 50, FailureScenarios.FINAL_READ_LIMIT_MILLIS);

    long deletes = cluster.history().ops().stream().filter(op -> op.isDelete() && op.succeeded()).count();
    long purgedHere = 0;
    for (NodeId id : cluster.nodeIds()) {
      for (PartitionRepairStatus p : cluster.node(id).antiEntropy().status().getPartitionsList()) {
        purgedHere += p.getTombstonesPurged();
      }
    }
    long left = collectableLeft(cluster);
    cluster.note(deletes + " deletes acknowledged, " + purgedHere + " tombstones purged, " + left
        + " collectable tombstones left");
    leftTotal.addAndGet(left);
    if (left > 0) {
      runsWithLeft.incrementAndGet();
    }
    if (deletes > 0) {
      runsWithDeletes.incrementAndGet();
      if (purgedHere > 0) {
        runsThatPurged.incrementAndGet();
      }
    }
    purged.addAndGet(purgedHere);
    return cluster;
  }
}

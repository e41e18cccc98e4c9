package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.InMemoryStorageEngine;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.storage.WriteBatch;
import java.util.List;
import java.util.Random;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The checker is not vacuous: when writes are really lost, it says so. Each scenario breaks the
 * cluster on purpose and asserts that {@link AcknowledgedWritesChecker} reports a lost write.
 */
class CheckerDetectsLossTest {
  private static final ByteString KEY = ByteString.copyFromUtf8("k");

  /**
   * No ReplicaWrite ever arrives, W = 1 and R = 1 (so R + W is not above N): a put acknowledged by
   * its coordinator alone, then a read at another replica with the coordinator cut off, misses it.
   */
  @TestFactory
  Stream<DynamicTest> detectsWritesThatNeverReplicate() {
    return SimulationSeeds.forEach(getClass(), 50, seed -> {
      Random random = new Random(seed);
      SimulationConfig config = SimulationConfig.random(random, 0).withQuorums(1, 1);
      SimulatedCluster cluster = new SimulatedCluster(config, random, new SimulatedTrace(false));
      cluster.network().setFilter((from, to, message) -> message.hasReplicaWriteRequest());
      List<NodeId> replicas = cluster.ring().preferenceList(SimulationScenarios.BUCKET, KEY.toByteArray(), 3);
      SimulatedClient client = cluster.newClient("c");
      client.put(replicas.get(0), SimulationScenarios.BUCKET, KEY, ByteString.EMPTY,
          ByteString.copyFromUtf8("v"), 0, null);
      cluster.runUntilIdle();
      cluster.network().partition(List.of(replicas.get(0)));
      client.get(replicas.get(1), SimulationScenarios.BUCKET, KEY, 0, null);
      cluster.runUntilIdle();
      assertLostWriteReported(cluster);
    });
  }

  /** Every node's storage silently discards data writes; the normal random workload runs on it. */
  @TestFactory
  Stream<DynamicTest> detectsStorageThatDiscardsWrites() {
    return SimulationSeeds.forEach(getClass(), 50, seed -> {
      Random random = new Random(seed);
      SimulationConfig config = SimulationConfig.random(random, 0);
      SimulatedCluster cluster =
          new SimulatedCluster(config, random, new SimulatedTrace(false), node -> new Forgetful());
      SimulationScenarios.runRandomWorkload(cluster);
      assertLostWriteReported(cluster);
    });
  }

  /**
   * The failure path of {@link FailureScenarios} with handoff turned off: substitutes keep their
   * hints for ever, and the checks say so for some seed of a set.
   */
  @Test
  void failurePathDetectsHintsNeverHandedOff() {
    assertSomeSeedViolates(
        "hints not drained",
        seed ->
            FailureScenarios.run(
                seed, new SimulatedTrace(false), SimulatedDisk.Durability.NO_SYNC, false, false));
  }

  /**
   * The failure path with power losses on disks without sync (a mode that does not promise to
   * survive them): some seed of a set loses an acknowledged write, and the checks report it, from
   * the final reads or from a home replica's storage.
   */
  @Test
  void failurePathDetectsPowerLossWithoutSync() {
    assertSomeSeedViolates(
        "lost write",
        seed ->
            FailureScenarios.run(
                seed, new SimulatedTrace(false), SimulatedDisk.Durability.NO_SYNC, true, true));
  }

  private static final int FAILURE_PATH_SEEDS = 30;

  /** Over seeds 1..30, at least one run reports a problem starting with {@code expected}. */
  private void assertSomeSeedViolates(
      String expected, LongFunction<FailureScenarios.Outcome> run) {
    int hits = 0;
    for (long seed = 1; seed <= FAILURE_PATH_SEEDS; seed++) {
      List<String> problems = run.apply(seed).problems();
      if (problems.stream().anyMatch(p -> p.startsWith(expected) || p.startsWith("home replica"))) {
        hits++;
      }
    }
    if (hits == 0) {
      throw new AssertionError(
          "no seed in 1.." + FAILURE_PATH_SEEDS + " made the checks report '" + expected
              + "': the checks (or the fault) are vacuous\n" + SimulationSeeds.replay(getClass(), 1));
    }
  }

  private static void assertLostWriteReported(SimulatedCluster cluster) {
    boolean acked = cluster.history().ops().stream().anyMatch(op -> op.isPut() && op.succeeded());
    SimulationAssertions.check(acked, cluster, "the scenario acknowledged no put to lose");
    List<String> violations = AcknowledgedWritesChecker.check(cluster.history());
    SimulationAssertions.check(
        violations.stream().anyMatch(v -> v.startsWith("lost write")),
        cluster,
        "the checker missed a deliberately lost write; it reported: " + violations);
  }

  /** A storage engine that acknowledges data writes and keeps none of them. */
  private static final class Forgetful implements StorageEngine {
    private final InMemoryStorageEngine delegate = new InMemoryStorageEngine();

    @Override
    public byte[] get(Keyspace space, byte[] key) {
      return delegate.get(space, key);
    }

    @Override
    public void write(WriteBatch batch) {
      WriteBatch kept = new WriteBatch();
      for (WriteBatch.Op op : batch.ops()) {
        if (op.space() != Keyspace.DATA) {
          if (op.value() == null) {
            kept.delete(op.space(), op.key());
          } else {
            kept.put(op.space(), op.key(), op.value());
          }
        }
      }
      delegate.write(kept);
    }

    @Override
    public void scan(Keyspace space, byte[] from, byte[] to, Visitor visitor) {
      delegate.scan(space, from, to, visitor);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}

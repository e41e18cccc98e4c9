package io.dynamo.core.sim;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The failure path of {@link FailurePathNoLossTest} with every node split into 2 to 4 protocol
 * shards, as a server runs one per I/O event loop: requests, replica messages and their answers
 * are routed to shards by partition and operation id ({@code ShardRouter}), shard 0 alone runs
 * heartbeats, failure detection and handoff, and every shard reads its verdicts. No acknowledged
 * write may be lost, every hint must drain, and no shard may be left holding an operation.
 */
class ShardedNodesNoLossTest {
  private static final int SEEDS = 300;

  @TestFactory
  Stream<DynamicTest> shardedNodesSurviveCrashesAndPartitions() {
    return SimulationSeeds.forEach(getClass(), SEEDS, seed -> {
      FailureScenarios.Outcome outcome = run(seed);
      SimulationAssertions.assertNoProblems(outcome.cluster(), outcome.problems());
    });
  }

  private static FailureScenarios.Outcome run(long seed) {
    return FailureScenarios.run(
        seed, new SimulatedTrace(false), SimulatedDisk.Durability.NO_SYNC, false, true,
        2 + (int) Math.floorMod(seed, 3L));
  }
}

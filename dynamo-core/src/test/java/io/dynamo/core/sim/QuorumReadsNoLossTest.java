package io.dynamo.core.sim;

import io.dynamo.core.node.ReadPolicy;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The failure path of {@link FailureScenarios} with {@code read.fanout=quorum}: gets ask R
 * replicas and read a further one when those are slow (speculative reads, adaptive delay), fail or
 * disagree. Read repair then reaches fewer replicas, so convergence rests more on hinted handoff
 * and the final reads; no acknowledged write may be lost all the same, and every home replica must
 * end up holding it.
 */
class QuorumReadsNoLossTest {
  private static final int SEEDS = 300;

  @TestFactory
  Stream<DynamicTest> quorumReadsLoseNothingUnderCrashesAndPartitions() {
    return SimulationSeeds.forEach(getClass(), SEEDS, seed -> {
      FailureScenarios.Outcome outcome =
          FailureScenarios.run(
              seed, new SimulatedTrace(false), SimulatedDisk.Durability.NO_SYNC, false, true, 1,
              ReadPolicy.QUORUM);
      SimulationAssertions.assertNoProblems(outcome.cluster(), outcome.problems());
    });
  }
}

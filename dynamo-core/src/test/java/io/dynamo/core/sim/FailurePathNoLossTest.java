package io.dynamo.core.sim;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each durability mode against the faults it promises to survive (docs/operations.md, Durability),
 * over the whole failure path of {@link FailureScenarios}: random crashes, restarts, partitions and
 * drops during a workload, then healing. No acknowledged write is lost: the final reads with R = N
 * return it (or a version superseding it), every home replica stores it, and every hint queue
 * drains.
 */
class FailurePathNoLossTest {
  private static final int SEEDS = 1000;

  /** {@code storage.sync=false}: survives process crashes (the OS keeps the page cache). */
  @TestFactory
  Stream<DynamicTest> noSyncSurvivesCrashesAndPartitions() {
    return SimulationSeeds.forEach(getClass(), SEEDS, seed -> check(
        FailureScenarios.run(seed, new SimulatedTrace(false), SimulatedDisk.Durability.NO_SYNC, false, true)));
  }

  /** {@code storage.sync=true}: survives power losses too, of any set of nodes at once. */
  @TestFactory
  Stream<DynamicTest> syncSurvivesPowerLoss() {
    return SimulationSeeds.forEach(getClass(), SEEDS, seed -> check(
        FailureScenarios.run(seed, new SimulatedTrace(false), SimulatedDisk.Durability.SYNC, true, true)));
  }

  private static void check(FailureScenarios.Outcome outcome) {
    SimulationAssertions.assertNoProblems(outcome.cluster(), outcome.problems());
  }
}

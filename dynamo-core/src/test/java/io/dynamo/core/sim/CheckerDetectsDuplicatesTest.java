package io.dynamo.core.sim;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The duplicate checker is not vacuous: the retrying workload of {@link RetryScenarios} with write
 * ids turned off retries writes whose first attempt may have been applied, which is exactly what
 * stores a write twice, and the checker reports it for some seed of a set.
 */
class CheckerDetectsDuplicatesTest {
  private static final int SEEDS = 40;

  @Test
  void retriesWithoutWriteIdsLeaveDuplicatesAndTheCheckerSaysSo() {
    int hits = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      List<String> problems = RetryScenarios.run(seed, new SimulatedTrace(false), false).problems();
      if (problems.stream().anyMatch(p -> p.startsWith("duplicate"))) {
        hits++;
      }
    }
    if (hits == 0) {
      throw new AssertionError(
          "no seed in 1.." + SEEDS + " made the duplicate checker report retries without write"
              + " ids: the checker (or the scenario) is vacuous\n"
              + SimulationSeeds.replay(getClass(), 1));
    }
  }

  /** The same seeds with write ids: no duplicate anywhere. */
  @Test
  void theSameSeedsWithWriteIdsHaveNone() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      RetryScenarios.Outcome outcome = RetryScenarios.run(seed, new SimulatedTrace(false), true);
      List<String> duplicates =
          outcome.problems().stream().filter(p -> p.startsWith("duplicate")).toList();
      SimulationAssertions.assertNoProblems(outcome.cluster(), duplicates);
    }
  }
}

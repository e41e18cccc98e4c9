package io.dynamo.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Writes retried through other coordinators, while coordinators crash and pause mid-write and the
 * network delays and drops messages, are each present exactly once: every acknowledged write
 * survives (or is superseded), and none ever stands as a sibling of itself. More seeds with
 * {@code -Dsim.seeds=5000} (see {@link SimulationSeeds}).
 */
class RetriedWritesOnceTest {
  private static final int SEEDS = 1000;

  @TestFactory
  Stream<DynamicTest> retriedWritesArePresentExactlyOnce() {
    return SimulationSeeds.forEach(getClass(), SEEDS, seed -> {
      RetryScenarios.Outcome outcome = RetryScenarios.run(seed, new SimulatedTrace(false), true);
      SimulationAssertions.assertNoProblems(outcome.cluster(), outcome.problems());
    });
  }

  /** The scenario really retries, and retried writes really get acknowledged. */
  @Test
  void theScenarioRetriesWritesThatGetAcknowledged() {
    int retries = 0;
    long ackedAfterRetry = 0;
    for (long seed = 1; seed <= 20; seed++) {
      RetryScenarios.Outcome outcome = RetryScenarios.run(seed, new SimulatedTrace(false), true);
      retries += outcome.retries();
      ackedAfterRetry +=
          outcome.cluster().history().ops().stream()
              .filter(op -> op.isPut() && op.succeeded())
              .filter(op -> outcome.cluster().history().ops().stream()
                  .anyMatch(o -> o != op && o.isPut()
                      && AcknowledgedWritesChecker.sameWrite(o, op)))
              .count();
    }
    assertThat(retries).isGreaterThan(50);
    assertThat(ackedAfterRetry).isGreaterThan(10);
  }
}

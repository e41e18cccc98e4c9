package io.dynamo.core.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * With R + W > N and no node failures, a get that starts after a put was acknowledged sees that
 * put's value or a version superseding it, under random delays, reordering and up to 10% message
 * loss (see {@link AcknowledgedWritesChecker} for the exact rules).
 */
class AcknowledgedWritesVisibleTest {
  @TestFactory
  Stream<DynamicTest> acknowledgedWritesAreVisibleToLaterReads() {
    return SimulationSeeds.forEach(getClass(), 2000, seed -> {
      SimulatedCluster cluster = SimulationScenarios.randomWorkload(seed, new SimulatedTrace(false));
      List<String> problems = new ArrayList<>(cluster.quiescenceProblems());
      problems.addAll(AcknowledgedWritesChecker.check(cluster.history()));
      cluster.history().ops().stream()
          .filter(op -> op.client().equals("final") && !op.succeeded())
          .forEach(op -> problems.add("final read over a loss-free network failed: " + op));
      SimulationAssertions.assertNoProblems(cluster, problems);
    });
  }
}

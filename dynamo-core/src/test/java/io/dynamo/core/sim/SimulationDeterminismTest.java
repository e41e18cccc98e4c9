package io.dynamo.core.sim;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The same seed twice gives the same run, event for event; different seeds give different runs. */
class SimulationDeterminismTest {
  @TestFactory
  Stream<DynamicTest> randomWorkloadRepeats() {
    return SimulationSeeds.forEach(
        getClass(), 60, seed -> assertRepeats(seed, t -> SimulationScenarios.randomWorkload(seed, t)));
  }

  @TestFactory
  Stream<DynamicTest> concurrentPutsRepeat() {
    return SimulationSeeds.forEach(
        getClass(), 60, seed -> assertRepeats(seed, t -> ConcurrentPutsBecomeSiblingsTest.run(seed, t)));
  }

  @TestFactory
  Stream<DynamicTest> failurePathRepeats() {
    return SimulationSeeds.forEach(
        getClass(), 20, seed -> assertRepeats(seed, t -> FailureScenarios.run(
            seed, t, SimulatedDisk.Durability.SYNC, true, true).cluster()));
  }

  @Test
  void differentSeedsDiverge() {
    long a = trace(1).hash();
    long b = trace(2).hash();
    if (a == b) {
      throw new AssertionError("seeds 1 and 2 produced the same trace: the seed is not used");
    }
  }

  private static SimulatedTrace trace(long seed) {
    SimulatedTrace t = new SimulatedTrace(false);
    SimulationScenarios.randomWorkload(seed, t);
    return t;
  }

  private interface Run {
    SimulatedCluster run(SimulatedTrace trace);
  }

  private static void assertRepeats(long seed, Run run) {
    SimulatedTrace first = new SimulatedTrace(true);
    SimulatedTrace second = new SimulatedTrace(true);
    String history1 = run.run(first).history().toString();
    String history2 = run.run(second).history().toString();
    if (first.hash() != second.hash() || first.events() != second.events()
        || !first.text().equals(second.text()) || !history1.equals(history2)) {
      throw new AssertionError(
          "seed " + seed + " ran differently twice (" + first.events() + " vs " + second.events()
              + " events); first difference:\n" + firstDifference(first.text(), second.text()));
    }
    if (first.events() == 0) {
      throw new AssertionError("the trace recorded nothing");
    }
  }

  private static String firstDifference(String a, String b) {
    String[] x = a.split("\n");
    String[] y = b.split("\n");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      if (!x[i].equals(y[i])) {
        return "  event " + i + ":\n    run 1: " + x[i] + "\n    run 2: " + y[i];
      }
    }
    return "  one trace is a prefix of the other (" + x.length + " vs " + y.length + " events)";
  }

}

package io.dynamo.core.sim;

import java.util.List;

/** Failure messages that carry what is needed to understand a failed seed. */
final class SimulationAssertions {
  /** Histories longer than this are cut in failure messages. */
  private static final int MAX_HISTORY_CHARS = 20_000;

  private SimulationAssertions() {}

  static void assertNoProblems(SimulatedCluster cluster, List<String> problems) {
    if (problems.isEmpty()) {
      return;
    }
    String history = cluster.history().toString();
    if (history.length() > MAX_HISTORY_CHARS) {
      history = history.substring(0, MAX_HISTORY_CHARS) + "\n... (history cut)";
    }
    throw new AssertionError(
        problems.size() + " problem(s):\n  " + String.join("\n  ", problems) + "\ncluster: "
            + cluster.describe() + notes(cluster) + "\nhistory:\n" + history);
  }

  private static String notes(SimulatedCluster cluster) {
    return cluster.notes().isEmpty() ? "" : "\nfaults and phases:\n  " + String.join("\n  ", cluster.notes());
  }

  static void check(boolean condition, SimulatedCluster cluster, String message) {
    if (!condition) {
      assertNoProblems(cluster, List.of(message));
    }
  }
}

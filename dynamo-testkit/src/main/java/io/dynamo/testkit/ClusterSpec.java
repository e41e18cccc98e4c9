package io.dynamo.testkit;

/**
 * The cluster a scenario asks its driver for: {@code nodes} nodes, N = 3, R = W = 2 by default,
 * and a failure detector fast enough for tests (a silent node suspected within a second or two).
 */
public record ClusterSpec(int nodes, String name) {
  public ClusterSpec {
    if (nodes < 3) {
      throw new IllegalArgumentException("scenarios need N = 3, so at least 3 nodes");
    }
  }

  public static ClusterSpec of(int nodes, String name) {
    return new ClusterSpec(nodes, name);
  }
}

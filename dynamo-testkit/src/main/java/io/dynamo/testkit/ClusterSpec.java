package io.dynamo.testkit;

import java.util.EnumSet;
import java.util.Set;

/**
 * The cluster a scenario asks its driver for: {@code nodes} nodes, N = 3 with the default quorums
 * R = W = 2, a failure detector fast enough for tests (a silent node suspected within a second or
 * two), and the optional capabilities the scenario needs. A driver that lacks one of {@code needs}
 * skips the test before starting anything ({@link #assumeSupportedBy}), so a real cluster is not
 * started for a scenario it cannot run.
 */
public record ClusterSpec(int nodes, String name, Set<ClusterDriver.Capability> needs) {
  public ClusterSpec {
    if (nodes < 3) {
      throw new IllegalArgumentException("scenarios need N = 3, so at least 3 nodes");
    }
    needs = needs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(needs));
  }

  public static ClusterSpec of(int nodes, String name, ClusterDriver.Capability... needs) {
    return new ClusterSpec(nodes, name, Set.of(needs));
  }

  /** Skips the calling test (a JUnit assumption) unless {@code supported} covers {@link #needs}. */
  public void assumeSupportedBy(String driver, Set<ClusterDriver.Capability> supported) {
    for (ClusterDriver.Capability c : needs) {
      org.junit.jupiter.api.Assumptions.assumeTrue(supported.contains(c), driver + " does not support " + c);
    }
  }
}

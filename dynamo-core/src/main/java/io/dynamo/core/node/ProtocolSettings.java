package io.dynamo.core.node;

/**
 * Protocol limits of a node.
 *
 * @param requestTimeoutMillis how long a coordinator waits for a quorum before failing a request
 * @param maxClockEntries vector clocks are pruned (oldest entries first) beyond this many entries
 * @param maxKeyBytes the longest key accepted
 */
public record ProtocolSettings(long requestTimeoutMillis, int maxClockEntries, int maxKeyBytes) {
  public static final ProtocolSettings DEFAULT = new ProtocolSettings(5_000, 50, 65_536);

  public ProtocolSettings {
    if (requestTimeoutMillis <= 0) {
      throw new IllegalArgumentException("requestTimeoutMillis must be positive");
    }
    if (maxClockEntries < 1) {
      throw new IllegalArgumentException("maxClockEntries must be at least 1");
    }
    if (maxKeyBytes < 1) {
      throw new IllegalArgumentException("maxKeyBytes must be at least 1");
    }
  }
}

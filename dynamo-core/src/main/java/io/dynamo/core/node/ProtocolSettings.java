package io.dynamo.core.node;

/**
 * Protocol limits and periods of a node.
 *
 * @param requestTimeoutMillis how long a coordinator waits for a quorum before failing a request
 * @param maxClockEntries vector clocks are pruned (oldest entries first) beyond this many entries
 * @param maxKeyBytes the longest key accepted
 * @param heartbeatIntervalMillis how often a node tells every peer it is alive
 * @param handoffIntervalMillis how often a node tries to hand hints to their home replicas
 * @param handoffRatePerSecond at most this many hints are handed to one node per second
 * @param handoffEnabled whether hints are handed off at all (off only to hold them, for example
 *     to inspect them, or to show that a checker notices when they never arrive)
 * @param forwardRetryMillis how long a node that forwarded a write with a write id waits for the
 *     coordinator's answer before sending the same write to the next home replica: well under the
 *     request timeout, so a paused or dead coordinator that is not yet suspected costs one short
 *     wait rather than the whole request
 * @param readRepair whether a get sends the merged versions to replicas that answered with older
 *     ones (off only to show that anti-entropy alone converges replicas)
 * @param reads which replicas a get asks, and when it asks more
 */
public record ProtocolSettings(
    long requestTimeoutMillis,
    int maxClockEntries,
    int maxKeyBytes,
    long heartbeatIntervalMillis,
    long handoffIntervalMillis,
    int handoffRatePerSecond,
    boolean handoffEnabled,
    long forwardRetryMillis,
    boolean readRepair,
    ReadPolicy reads) {
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
    if (heartbeatIntervalMillis <= 0 || handoffIntervalMillis <= 0) {
      throw new IllegalArgumentException("heartbeat and handoff intervals must be positive");
    }
    if (handoffRatePerSecond < 1) {
      throw new IllegalArgumentException("handoffRatePerSecond must be at least 1");
    }
    if (forwardRetryMillis <= 0 || forwardRetryMillis > requestTimeoutMillis) {
      throw new IllegalArgumentException(
          "forwardRetryMillis must be positive and at most requestTimeoutMillis");
    }
    if (reads == null) {
      throw new IllegalArgumentException("reads must be given");
    }
  }

  /** As the canonical constructor, with read repair on and the default read policy. */
  public ProtocolSettings(
      long requestTimeoutMillis,
      int maxClockEntries,
      int maxKeyBytes,
      long heartbeatIntervalMillis,
      long handoffIntervalMillis,
      int handoffRatePerSecond,
      boolean handoffEnabled,
      long forwardRetryMillis) {
    this(
        requestTimeoutMillis, maxClockEntries, maxKeyBytes, heartbeatIntervalMillis,
        handoffIntervalMillis, handoffRatePerSecond, handoffEnabled, forwardRetryMillis, true,
        ReadPolicy.DEFAULT);
  }

  public ProtocolSettings withReadRepair(boolean on) {
    return new ProtocolSettings(
        requestTimeoutMillis, maxClockEntries, maxKeyBytes, heartbeatIntervalMillis,
        handoffIntervalMillis, handoffRatePerSecond, handoffEnabled, forwardRetryMillis, on, reads);
  }

  public ProtocolSettings withReads(ReadPolicy policy) {
    return new ProtocolSettings(
        requestTimeoutMillis, maxClockEntries, maxKeyBytes, heartbeatIntervalMillis,
        handoffIntervalMillis, handoffRatePerSecond, handoffEnabled, forwardRetryMillis, readRepair,
        policy);
  }

  public ProtocolSettings withHandoff(boolean on) {
    return new ProtocolSettings(
        requestTimeoutMillis, maxClockEntries, maxKeyBytes, heartbeatIntervalMillis,
        handoffIntervalMillis, handoffRatePerSecond, on, forwardRetryMillis, readRepair, reads);
  }

  /** As the canonical constructor, retrying a forward after a fifth of the request timeout. */
  public ProtocolSettings(
      long requestTimeoutMillis,
      int maxClockEntries,
      int maxKeyBytes,
      long heartbeatIntervalMillis,
      long handoffIntervalMillis,
      int handoffRatePerSecond,
      boolean handoffEnabled) {
    this(
        requestTimeoutMillis, maxClockEntries, maxKeyBytes, heartbeatIntervalMillis,
        handoffIntervalMillis, handoffRatePerSecond, handoffEnabled,
        defaultForwardRetryMillis(requestTimeoutMillis));
  }

  /** A fifth of the request timeout (at least 1 ms): room for the request's other attempts. */
  public static long defaultForwardRetryMillis(long requestTimeoutMillis) {
    return Math.max(1, requestTimeoutMillis / 5);
  }

  /** Default periods: heartbeats every 500 ms, handoff every 100 ms at up to 2,000 hints/s. */
  public ProtocolSettings(long requestTimeoutMillis, int maxClockEntries, int maxKeyBytes) {
    this(requestTimeoutMillis, maxClockEntries, maxKeyBytes, 500, 100, 2_000, true);
  }

  /** Hints handed to one node per handoff round. */
  public int handoffBatch() {
    return (int) Math.max(1, handoffRatePerSecond * handoffIntervalMillis / 1000);
  }
}

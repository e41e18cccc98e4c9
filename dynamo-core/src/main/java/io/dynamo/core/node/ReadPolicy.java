package io.dynamo.core.node;

/**
 * Which replicas a get asks, and when it asks more.
 *
 * <p>With {@link Fanout#QUORUM} a get asks only R replicas (the record from one, digests from the
 * others) and reads a further replica when those are slow to answer (a speculative read), when
 * one fails, or when their digests differ; then every replica is read in full and repaired. With
 * {@link Fanout#ALL} every replica is asked at once, as in the Dynamo paper, and each get compares
 * and repairs all N, at the cost of N reads and N answers per get.
 *
 * @param fanout the replicas asked at first
 * @param speculateAfterMillis with QUORUM, how long a get waits for its R answers before asking a
 *     further replica: {@link #ADAPTIVE} for the shard's recent 99th-percentile get latency,
 *     {@link #NEVER} to wait for an answer or a failure, or a fixed number of milliseconds
 */
public record ReadPolicy(Fanout fanout, long speculateAfterMillis) {
  /** Speculate after the recent 99th percentile of get latency (recomputed as gets answer). */
  public static final long ADAPTIVE = 0;
  /** Never speculate: a further replica is asked only when one asked fails or digests differ. */
  public static final long NEVER = -1;

  /**
   * Every replica, as the Dynamo paper reads: with replicas on shared cores answering from cache,
   * QUORUM measured slower (docs/performance.md), and ALL's read repair reaches every replica.
   */
  public static final ReadPolicy DEFAULT = new ReadPolicy(Fanout.ALL, ADAPTIVE);
  public static final ReadPolicy QUORUM = new ReadPolicy(Fanout.QUORUM, ADAPTIVE);

  /** The replicas a get asks first. */
  public enum Fanout {
    /** R replicas; more only when needed. */
    QUORUM,
    /** Every replica in the request's plan. */
    ALL
  }

  public ReadPolicy {
    if (fanout == null) {
      throw new IllegalArgumentException("fanout must be given");
    }
    if (speculateAfterMillis < NEVER) {
      throw new IllegalArgumentException(
          "speculateAfterMillis must be positive, ADAPTIVE or NEVER: " + speculateAfterMillis);
    }
  }

  /** How many of a plan's {@code targets} replicas a get with quorum {@code r} asks first. */
  public int firstAsked(int r, int targets) {
    return fanout == Fanout.ALL ? targets : Math.min(r, targets);
  }
}

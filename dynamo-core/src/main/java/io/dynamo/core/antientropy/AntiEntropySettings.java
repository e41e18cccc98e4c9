package io.dynamo.core.antientropy;

/**
 * How a node runs anti-entropy (docs/anti-entropy.md).
 *
 * @param enabled whether exchanges run on a schedule (on-demand repairs and answering peers work
 *     either way)
 * @param sweepMillis every partition this node owns is exchanged with each other owner within
 *     about this period
 * @param confirmDelayMillis how long after finding differing segments they are compared again; only
 *     segments that still differ are repaired (a write in flight is not a divergence)
 * @param maxKeysPerExchange at most this many differing keys are repaired per exchange; the rest
 *     wait for the next one
 * @param bytesPerSecond what exchanges may send from this node (records, digests, hashes) on
 *     average; 0: unlimited
 * @param maxConcurrentExchanges partitions exchanged at once by this node as initiator on its
 *     schedule (each with all its other owners at once)
 * @param stepTimeoutMillis an exchange waiting longer than this for a peer's answer gives up
 * @param rebuildMillis a tree is rebuilt from a scan when it is older than this, in case it drifted
 *     from the data (a bug, a bit flip); 0: never
 * @param cleanupGraceMillis a copy of a partition this node does not own (a substitute's, an old
 *     owner's) is handed to the owners and deleted once it has been seen for this long; 0: never
 * @param tombstoneGraceMillis a key deleted longer ago than this (every version a tombstone, every
 *     dot older) may be purged once every owner holds exactly that tombstone and no member may
 *     still hold an older version elsewhere (docs/anti-entropy.md); 0: tombstones are kept
 */
public record AntiEntropySettings(
    boolean enabled,
    long sweepMillis,
    long confirmDelayMillis,
    int maxKeysPerExchange,
    long bytesPerSecond,
    int maxConcurrentExchanges,
    long stepTimeoutMillis,
    long rebuildMillis,
    long cleanupGraceMillis,
    long tombstoneGraceMillis) {
  /**
   * Sweeps every 10 minutes, differences confirmed after 250 ms, 1,000 keys per exchange, 4 MiB/s,
   * 4 partitions at a time, weekly rebuilds.
   */
  public static final AntiEntropySettings DEFAULT =
      new AntiEntropySettings(
          true, 600_000, 250, 1_000, 4L << 20, 4, 30_000, 7L * 24 * 3_600_000, 600_000,
          24L * 3_600_000);

  /**
   * Partitions exchanged at once for an operator's repair: more than on the schedule, since an
   * exchange mostly waits (for the confirmation delay and its peers) and the byte budget still
   * holds.
   */
  public int maxConcurrentRepairs() {
    return maxConcurrentExchanges * 4;
  }

  /** Segments asked for in one keys request; more differing segments wait for the next exchange. */
  public static final int MAX_SEGMENTS_PER_REQUEST = 512;
  /** Records one exchange reads to push at most; the rest waits for the next exchange. */
  public static final long MAX_PUSH_BYTES = 16L << 20;
  /** Candidate tombstones per collection round. */
  public static final int MAX_GC_KEYS = 1_000;
  /** Keys fetched per request. */
  public static final int MAX_KEYS_PER_FETCH = 256;
  /** Records per message stop being added past this many bytes (at least one is always sent). */
  public static final int MAX_RECORD_BYTES_PER_MESSAGE = 1 << 20;

  public AntiEntropySettings {
    if (sweepMillis <= 0 || confirmDelayMillis < 0 || stepTimeoutMillis <= 0 || rebuildMillis < 0
        || cleanupGraceMillis < 0 || tombstoneGraceMillis < 0) {
      throw new IllegalArgumentException("anti-entropy periods must be positive");
    }
    if (maxKeysPerExchange < 1 || maxConcurrentExchanges < 1 || bytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "maxKeysPerExchange and maxConcurrentExchanges must be at least 1, bytesPerSecond >= 0");
    }
  }
}

package io.dynamo.core.transfer;

/**
 * How partition transfers run on a node (docs/transfers.md). Sizes in bytes, times in
 * milliseconds; every value is checked when built.
 *
 * @param chunkMaxBytes content (keys plus records) a target asks for per chunk, and the most a
 *     source sends per chunk
 * @param chunkMaxRecords records per chunk
 * @param maxRecordBytes the largest single record a target accepts (a chunk of one record may exceed
 *     {@code chunkMaxBytes} up to this); keep it above the buckets' record limit
 * @param bytesPerSecond transfer bytes per second this node receives, and separately sends, in
 *     total over all its transfers; 0: unlimited
 * @param burstBytes how far the rate limit lets a node run ahead after a quiet period
 * @param maxIncoming transfers this node receives at once; more are queued in start order
 * @param maxOutgoing transfers this node serves at once (each holds a storage snapshot); more
 *     are answered BUSY and asked again later
 * @param requestTimeoutMillis a chunk request unanswered this long is sent again
 * @param maxRequestTimeoutMillis the request timeout doubles at each retry up to this
 * @param stallTimeoutMillis a transfer that applied nothing for this long fails
 * @param busyRetryMillis how long a target waits before asking a BUSY source again (unless the
 *     source names a time)
 * @param sourceIdleMillis a source releases the snapshot of a transfer it heard nothing of for this
 *     long (a target that resumes later gets a new snapshot)
 */
public record TransferSettings(
    int chunkMaxBytes,
    int chunkMaxRecords,
    int maxRecordBytes,
    long bytesPerSecond,
    long burstBytes,
    int maxIncoming,
    int maxOutgoing,
    long requestTimeoutMillis,
    long maxRequestTimeoutMillis,
    long stallTimeoutMillis,
    long busyRetryMillis,
    long sourceIdleMillis) {

  public static final TransferSettings DEFAULTS =
      new TransferSettings(
          256 << 10, 4096, 8 << 20, 16L << 20, 1L << 20, 2, 4, 5_000, 60_000, 300_000, 1_000, 120_000);

  public TransferSettings {
    positive("transfer.chunk-max-bytes", chunkMaxBytes);
    positive("transfer.chunk-max-records", chunkMaxRecords);
    if (maxRecordBytes < chunkMaxBytes) {
      throw new IllegalArgumentException(
          "transfer.max-record-bytes (" + maxRecordBytes + ") must be at least transfer.chunk-max-bytes ("
              + chunkMaxBytes + ")");
    }
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("transfer.bytes-per-second must be >= 0 (0: unlimited)");
    }
    if (bytesPerSecond > 0 && burstBytes < chunkMaxBytes) {
      throw new IllegalArgumentException(
          "transfer.burst-bytes (" + burstBytes + ") must be at least transfer.chunk-max-bytes ("
              + chunkMaxBytes + ")");
    }
    positive("transfer.max-incoming", maxIncoming);
    positive("transfer.max-outgoing", maxOutgoing);
    positive("transfer.request-timeout", requestTimeoutMillis);
    if (maxRequestTimeoutMillis < requestTimeoutMillis) {
      throw new IllegalArgumentException(
          "transfer.max-request-timeout must be at least transfer.request-timeout");
    }
    if (stallTimeoutMillis < maxRequestTimeoutMillis) {
      throw new IllegalArgumentException(
          "transfer.stall-timeout must be at least transfer.max-request-timeout");
    }
    positive("transfer.busy-retry", busyRetryMillis);
    positive("transfer.source-idle", sourceIdleMillis);
  }

  public TransferSettings withRate(long bytesPerSecond, long burstBytes) {
    return new TransferSettings(chunkMaxBytes, chunkMaxRecords, maxRecordBytes, bytesPerSecond,
        burstBytes, maxIncoming, maxOutgoing, requestTimeoutMillis, maxRequestTimeoutMillis,
        stallTimeoutMillis, busyRetryMillis, sourceIdleMillis);
  }

  public TransferSettings withChunk(int maxBytes, int maxRecords) {
    return new TransferSettings(maxBytes, maxRecords, Math.max(maxRecordBytes, maxBytes),
        bytesPerSecond, Math.max(burstBytes, maxBytes), maxIncoming, maxOutgoing,
        requestTimeoutMillis, maxRequestTimeoutMillis, stallTimeoutMillis, busyRetryMillis,
        sourceIdleMillis);
  }

  public TransferSettings withConcurrency(int maxIncoming, int maxOutgoing) {
    return new TransferSettings(chunkMaxBytes, chunkMaxRecords, maxRecordBytes, bytesPerSecond,
        burstBytes, maxIncoming, maxOutgoing, requestTimeoutMillis, maxRequestTimeoutMillis,
        stallTimeoutMillis, busyRetryMillis, sourceIdleMillis);
  }

  public TransferSettings withTimeouts(long requestMillis, long maxRequestMillis, long stallMillis) {
    return new TransferSettings(chunkMaxBytes, chunkMaxRecords, maxRecordBytes, bytesPerSecond,
        burstBytes, maxIncoming, maxOutgoing, requestMillis, maxRequestMillis, stallMillis,
        busyRetryMillis, sourceIdleMillis);
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be positive, not " + value);
    }
  }
}

package io.dynamo.client;

/**
 * One partition copy being streamed to a new owner, as the receiving node reports it. {@code state}
 * is queued, copying, done or failed; {@code bytesTotal} is 0 when the source gave no estimate.
 */
public record TransferStatus(
    int partition,
    String from,
    String to,
    String state,
    long bytesDone,
    long bytesTotal,
    long keysDone,
    double bytesPerSecond,
    String error) {}

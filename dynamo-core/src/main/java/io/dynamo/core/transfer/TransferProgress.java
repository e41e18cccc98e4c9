package io.dynamo.core.transfer;

import io.dynamo.core.ring.NodeId;

/**
 * An incoming transfer as it stands.
 *
 * @param keysDone records applied, over every run of the transfer (it survives restarts)
 * @param bytesDone keys plus records applied, over every run
 * @param estimatedBytes the source's estimate of the partition's size (0: not known yet); RocksDB's
 *     is of compressed bytes on disk, so {@code bytesDone} may pass it
 * @param bytesPerSecond applied bytes per second since this node started (or resumed) the transfer
 * @param etaMillis time left at that rate, or -1 when the size or the rate is not known
 * @param retries requests sent again after a timeout
 * @param corruptChunks chunks that failed their checksum (each asked for again)
 * @param refusedChunks chunks refused as malformed or oversized, and records that did not decode
 * @param failure why it failed or was cancelled; empty otherwise
 */
public record TransferProgress(
    TransferId id,
    int partition,
    NodeId source,
    TransferState state,
    long keysDone,
    long bytesDone,
    long estimatedBytes,
    double bytesPerSecond,
    long etaMillis,
    long retries,
    long corruptChunks,
    long refusedChunks,
    String failure) {}

package io.dynamo.core.transfer;

import com.google.protobuf.ByteString;
import io.dynamo.core.log.Untrusted;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.TransferChunk;
import io.dynamo.proto.v1.TransferChunkRequest;
import io.dynamo.proto.v1.TransferClose;
import io.dynamo.proto.v1.TransferError;
import io.dynamo.proto.v1.TransferRecord;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target side of one transfer: asks its source for the records after the last key it applied,
 * checks each chunk, merges its records into the replica, persists how far it got, and asks for
 * the next. At most one request is outstanding; an unanswered one is sent again with a doubling
 * timeout; the transfer fails after the stall timeout without progress. Protocol thread only.
 */
final class IncomingTransfer {
  private static final Logger log = LoggerFactory.getLogger(IncomingTransfer.class);

  final TransferService service;
  final TransferId id;
  final int partition;
  final NodeId source;
  final CompletableFuture<TransferProgress> future = new CompletableFuture<>();
  boolean holdsSlot;

  private TransferState state = TransferState.QUEUED;
  private byte[] afterKey = new byte[0];
  private long keysDone;
  private long bytesDone;
  private long estimatedBytes;
  private long sequence;
  /** True from sending a request until its chunk is applied (or refused): one at a time. */
  private boolean awaiting;
  private boolean applying;
  private long timeoutMillis;
  private Scheduler.Cancellable timer;
  private long lastProgressMillis;
  /** When this node started (or resumed) asking for chunks, or -1. */
  private long runStartMillis = -1;
  private long runBytes;
  /** When the transfer finished (rates stop there), or -1. */
  private long endMillis = -1;
  private long retries;
  private long corruptChunks;
  private long refusedChunks;
  private String failure = "";

  IncomingTransfer(TransferService service, TransferId id, int partition, NodeId source) {
    this.service = service;
    this.id = id;
    this.partition = partition;
    this.source = source;
    this.timeoutMillis = service.settings.requestTimeoutMillis();
  }

  TransferState state() {
    return state;
  }

  TransferProgress progress() {
    long now = endMillis >= 0 ? endMillis : service.clock.monotonicMillis();
    long elapsed = runStartMillis < 0 ? 0 : now - runStartMillis;
    double rate = elapsed > 0 ? runBytes * 1000.0 / elapsed : 0;
    long eta = -1;
    if (state == TransferState.COMPLETED) {
      eta = 0;
    } else if (estimatedBytes > 0 && rate > 0) {
      eta = (long) (Math.max(0, estimatedBytes - bytesDone) * 1000.0 / rate);
    }
    return new TransferProgress(id, partition, source, state, keysDone, bytesDone, estimatedBytes,
        rate, eta, retries, corruptChunks, refusedChunks, failure);
  }

  /** Got a slot: reads the persisted progress, then starts asking. */
  void activate() {
    state = TransferState.LOADING;
    service.storage.execute(
        () -> ProgressRow.read(service.replica.engine(), id),
        (row, error) -> {
          if (state != TransferState.LOADING) {
            return; // cancelled meanwhile
          }
          if (error != null) {
            fail("cannot read its progress: " + error);
            return;
          }
          if (row != null && row.partition() != partition) {
            fail("id already used for partition " + row.partition());
            return;
          }
          if (row != null && !row.done() && !row.source().equals(source)) {
            // Another source's snapshot may hold keys below the old position that the first one
            // lacked: start over (records already applied merge again harmlessly).
            log.info("transfer {} of partition {} now pulls from {} instead of {}: starting over",
                id, partition, source, row.source());
            row = null;
          }
          if (row != null) {
            afterKey = row.afterKey();
            keysDone = row.keysDone();
            bytesDone = row.bytesDone();
            if (row.done()) {
              finishCompleted();
              return;
            }
            if (afterKey.length > 0) {
              log.info("resuming transfer {} of partition {} from {} after {} keys ({} bytes)",
                  id, partition, source, keysDone, bytesDone);
            }
          }
          state = TransferState.RUNNING;
          long now = service.clock.monotonicMillis();
          runStartMillis = now;
          lastProgressMillis = now;
          request();
        });
  }

  /** Sends the next request, once the node's inbound rate allows. */
  private void request() {
    if (state != TransferState.RUNNING) {
      return;
    }
    cancelTimer();
    long wait = service.inboundRate.delayMillis(service.clock.monotonicMillis());
    if (wait > 0) {
      timer = service.scheduler.schedule(wait, this::request);
      return;
    }
    awaiting = true;
    sequence++;
    service.send(source, Envelope.newBuilder().setTransferChunkRequest(
        TransferChunkRequest.newBuilder()
            .setTransferId(id.value())
            .setPartition(partition)
            .setAfterKey(ByteString.copyFrom(afterKey))
            .setMaxBytes(service.settings.chunkMaxBytes())
            .setMaxRecords(service.settings.chunkMaxRecords())
            .setSequence(sequence)));
    timer = service.scheduler.schedule(timeoutMillis, this::onTimeout);
  }

  private void onTimeout() {
    timer = null;
    if (state != TransferState.RUNNING || applying) {
      return;
    }
    if (stalled()) {
      return;
    }
    retries++;
    service.counters.retries++;
    timeoutMillis = Math.min(timeoutMillis * 2, service.settings.maxRequestTimeoutMillis());
    request();
  }

  /** Fails the transfer if nothing was applied for the stall timeout; returns whether it did. */
  private boolean stalled() {
    long quiet = service.clock.monotonicMillis() - lastProgressMillis;
    if (quiet >= service.settings.stallTimeoutMillis()) {
      fail("no progress for " + quiet + " ms");
      return true;
    }
    return false;
  }

  /** Asks again after {@code delay} (a refused or corrupt chunk, a busy source). */
  private void retryAfter(long delay) {
    awaiting = false;
    cancelTimer();
    if (stalled()) {
      return;
    }
    timer = service.scheduler.schedule(delay, this::request);
  }

  void onChunk(TransferChunk chunk) {
    if (state != TransferState.RUNNING || !awaiting || applying
        || !Arrays.equals(chunk.getAfterKey().toByteArray(), afterKey)) {
      return; // stale: an answer to an earlier request, or a duplicate
    }
    Retry retry = check(chunk);
    if (retry != null) {
      retryAfter(retry.delayMillis());
      return;
    }
    cancelTimer();
    applying = true;
    estimatedBytes = chunk.getEstimatedBytes() > 0 ? chunk.getEstimatedBytes() : estimatedBytes;
    int n = chunk.getRecordsCount();
    long bytes = TransferChunks.contentBytes(chunk.getRecordsList());
    byte[] last = n == 0 ? afterKey : chunk.getLastKey().toByteArray();
    boolean done = chunk.getDone();
    ProgressRow next = new ProgressRow(partition, source, last, keysDone + n, bytesDone + bytes, done);
    service.storage.execute(
        () -> apply(chunk, next),
        (malformed, error) -> applied(next, n, bytes, malformed, error));
  }

  private record Retry(long delayMillis) {}

  /** Null if the chunk may be applied, else how soon to ask for it again. */
  private Retry check(TransferChunk chunk) {
    if (chunk.getPartition() != partition) {
      refuse("it is for partition " + (chunk.getPartition() & 0xffffffffL));
      return new Retry(timeoutMillis);
    }
    // Size before checksum: an oversized chunk is refused without reading it all.
    TransferSettings s = service.settings;
    String why = TransferChunks.sizeRefusal(chunk, s.chunkMaxBytes(), s.chunkMaxRecords(), s.maxRecordBytes());
    if (why == null && !TransferChunks.checksumMatches(chunk)) {
      corruptChunks++;
      service.counters.corruptChunks++;
      service.peerLog.warn("transfer-corrupt-chunk",
          "chunk {} of transfer {} (partition {}) from {} failed its checksum; asking for it again",
          chunk.getSequence(), id, partition, source);
      return new Retry(0);
    }
    if (why == null) {
      why = TransferChunks.contentRefusal(chunk, partition, afterKey);
    }
    if (why != null) {
      refuse(why);
      return new Retry(timeoutMillis);
    }
    return null;
  }

  private void refuse(String why) {
    refusedChunks++;
    service.counters.refusedChunks++;
    service.peerLog.warn("transfer-bad-chunk",
        "refusing a chunk of transfer {} (partition {}) from {}: {}", id, partition, source, why);
  }

  /** On a storage thread: merges every record, then persists the progress. Returns the records skipped. */
  private Integer apply(TransferChunk chunk, ProgressRow next) {
    int malformed = 0;
    for (TransferRecord r : chunk.getRecordsList()) {
      DataKey key = DataKey.decode(r.getKey().toByteArray());
      try {
        service.replica.merge(key, r.getRecord().toByteArray(),
            service.conflictModes.apply(key.bucket()), null, 0);
      } catch (MalformedVersionException e) {
        malformed++;
        service.peerLog.warn("transfer-bad-record",
            "skipping a record of transfer {} from {} that does not decode ({}): {}",
            id, source, key, Untrusted.escape(e.getMessage()));
      }
    }
    next.write(service.replica.engine(), id);
    return malformed;
  }

  private void applied(ProgressRow next, int n, long bytes, Integer malformed, Throwable error) {
    applying = false;
    awaiting = false;
    if (state != TransferState.RUNNING) {
      return;
    }
    if (error != null) {
      log.error("transfer {} of partition {} from {}: applying a chunk failed", id, partition, source, error);
      fail("applying a chunk failed: " + error);
      return;
    }
    if (malformed != null && malformed > 0) {
      refusedChunks += malformed;
      service.counters.refusedChunks += malformed;
    }
    afterKey = next.afterKey();
    keysDone = next.keysDone();
    bytesDone = next.bytesDone();
    runBytes += bytes;
    service.counters.chunksApplied++;
    long now = service.clock.monotonicMillis();
    service.inboundRate.spend(bytes, now);
    lastProgressMillis = now;
    timeoutMillis = service.settings.requestTimeoutMillis();
    if (next.done()) {
      service.send(source, Envelope.newBuilder().setTransferClose(TransferClose.newBuilder()
          .setTransferId(id.value()).setPartition(partition).setCompleted(true)));
      log.info("transfer {} of partition {} from {} completed: {} keys, {} bytes", id, partition,
          source, keysDone, bytesDone);
      finishCompleted();
      return;
    }
    request();
  }

  void onError(TransferError error) {
    if (state != TransferState.RUNNING || !awaiting || applying) {
      return;
    }
    switch (error.getCode()) {
      case BUSY -> {
        lastProgressMillis = service.clock.monotonicMillis(); // alive, just full
        long wait = error.getRetryAfterMillis() > 0 ? error.getRetryAfterMillis() : service.settings.busyRetryMillis();
        retryAfter(Math.min(wait, service.settings.maxRequestTimeoutMillis()));
      }
      case STORAGE, UNKNOWN, UNRECOGNIZED -> {
        service.peerLog.warn("transfer-source-error", "source {} of transfer {} answered {}: {}",
            source, id, error.getCode(), Untrusted.escape(error.getMessage()));
        long wait = timeoutMillis;
        timeoutMillis = Math.min(timeoutMillis * 2, service.settings.maxRequestTimeoutMillis());
        retryAfter(wait);
      }
      case INVALID, REFUSED -> fail("source " + source + " answered " + error.getCode() + ": "
          + Untrusted.escape(error.getMessage()));
    }
  }

  void cancel(String why) {
    if (state.finished()) {
      return;
    }
    boolean contacted = state == TransferState.RUNNING;
    finish(TransferState.CANCELLED, why);
    if (contacted) {
      service.send(source, Envelope.newBuilder().setTransferClose(TransferClose.newBuilder()
          .setTransferId(id.value()).setPartition(partition).setCompleted(false)));
    }
  }

  private void fail(String why) {
    log.warn("transfer {} of partition {} from {} failed: {}", id, partition, source, why);
    if (state == TransferState.RUNNING) {
      service.send(source, Envelope.newBuilder().setTransferClose(TransferClose.newBuilder()
          .setTransferId(id.value()).setPartition(partition).setCompleted(false)));
    }
    finish(TransferState.FAILED, why);
  }

  private void finishCompleted() {
    state = TransferState.COMPLETED;
    endMillis = service.clock.monotonicMillis();
    cancelTimer();
    service.incomingFinished(this);
    future.complete(progress());
  }

  private void finish(TransferState end, String why) {
    state = end;
    endMillis = service.clock.monotonicMillis();
    failure = why;
    cancelTimer();
    service.incomingFinished(this);
    future.completeExceptionally(new TransferFailedException(progress()));
  }

  /** The service is closing: no more timers, the future stays incomplete. */
  void stop() {
    cancelTimer();
    if (!state.finished()) {
      state = TransferState.CANCELLED;
      failure = "service closed";
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}

package io.dynamo.core.transfer;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.storage.StorageSnapshot;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.TransferChunk;
import io.dynamo.proto.v1.TransferChunkRequest;
import io.dynamo.proto.v1.TransferError;
import io.dynamo.proto.v1.TransferRecord;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of one transfer: a storage snapshot taken at the first request, from which each
 * request is answered with the records after its {@code after_key}. Requests are served one at a
 * time; one that arrives meanwhile waits (only the newest). The snapshot is released when the
 * target closes the transfer or goes quiet for {@link TransferSettings#sourceIdleMillis()}; a target
 * that asks again later gets a new snapshot. Protocol thread only.
 */
final class OutgoingTransfer {
  private static final Logger log = LoggerFactory.getLogger(OutgoingTransfer.class);

  /** Transfers are told apart by target and id: two targets may pick the same id. */
  record Key(NodeId target, String id) {}

  private record Opened(StorageSnapshot snapshot, long estimatedBytes) {}

  private record Read(List<TransferRecord> records, long bytes, boolean done) {}

  final TransferService service;
  final Key key;
  final int partition;
  private StorageSnapshot snapshot;
  private long estimatedBytes;
  private boolean opening;
  private boolean busy;
  private boolean closed;
  private TransferChunkRequest pending;
  private long sentRecords;
  private long sentBytes;
  private long lastHeardMillis;
  private Scheduler.Cancellable idleTimer;

  OutgoingTransfer(TransferService service, Key key, int partition) {
    this.service = service;
    this.key = key;
    this.partition = partition;
  }

  void onRequest(TransferChunkRequest req) {
    if (closed) {
      return;
    }
    lastHeardMillis = service.clock.monotonicMillis();
    if (snapshot == null || busy) {
      if (pending == null || req.getSequence() > pending.getSequence()) {
        pending = req;
      }
      if (snapshot == null && !opening) {
        open();
      }
      return;
    }
    serve(req);
  }

  private void open() {
    opening = true;
    StorageEngine engine = service.replica.engine();
    service.storage.execute(
        () -> {
          StorageSnapshot s = engine.snapshot();
          try {
            long estimate = engine.approximateBytes(
                Keyspace.DATA, TransferChunks.start(partition), TransferChunks.end(partition));
            return new Opened(s, estimate);
          } catch (RuntimeException e) {
            s.close();
            throw e;
          }
        },
        (opened, error) -> {
          opening = false;
          if (error != null) {
            log.error("transfer {} to {}: cannot take a snapshot of partition {}", key.id(), key.target(), partition, error);
            if (pending != null) {
              service.sendError(key.target(), pending, TransferError.Code.STORAGE, "cannot take a snapshot", 0);
            }
            close();
            return;
          }
          if (closed) {
            release(opened.snapshot());
            return;
          }
          snapshot = opened.snapshot();
          estimatedBytes = opened.estimatedBytes();
          log.info("serving partition {} to {} (transfer {}), about {} bytes", partition, key.target(),
              key.id(), estimatedBytes);
          armIdleTimer();
          servePending();
        });
  }

  private void servePending() {
    TransferChunkRequest next = pending;
    pending = null;
    if (next != null && !closed) {
      serve(next);
    }
  }

  private void serve(TransferChunkRequest req) {
    busy = true;
    int maxBytes = Math.min(req.getMaxBytes(), service.settings.chunkMaxBytes());
    int maxRecords = Math.min(req.getMaxRecords(), service.settings.chunkMaxRecords());
    byte[] from = TransferChunks.scanFrom(partition, req.getAfterKey().toByteArray());
    byte[] to = TransferChunks.end(partition);
    StorageSnapshot s = snapshot;
    service.storage.execute(
        () -> read(s, from, to, maxBytes, maxRecords),
        (read, error) -> {
          if (closed) {
            return;
          }
          if (error != null) {
            busy = false;
            log.error("transfer {} to {}: reading partition {} failed", key.id(), key.target(), partition, error);
            service.sendError(key.target(), req, TransferError.Code.STORAGE, "reading the partition failed", 0);
            close();
            return;
          }
          long now = service.clock.monotonicMillis();
          service.outboundRate.spend(read.bytes(), now);
          long wait = service.outboundRate.delayMillis(now);
          if (wait > 0) {
            service.scheduler.schedule(wait, () -> send(req, read));
          } else {
            send(req, read);
          }
        });
  }

  private static Read read(StorageSnapshot s, byte[] from, byte[] to, int maxBytes, int maxRecords) {
    List<TransferRecord> records = new ArrayList<>();
    long[] bytes = {0};
    boolean[] more = {false};
    s.scan(Keyspace.DATA, from, to, (k, v) -> {
      long size = k.length + v.length;
      if (!records.isEmpty() && (records.size() >= maxRecords || bytes[0] + size > maxBytes)) {
        more[0] = true;
        return false;
      }
      records.add(TransferRecord.newBuilder()
          .setKey(ByteString.copyFrom(k)).setRecord(ByteString.copyFrom(v)).build());
      bytes[0] += size;
      return true;
    });
    return new Read(records, bytes[0], !more[0]);
  }

  private void send(TransferChunkRequest req, Read read) {
    busy = false;
    if (closed) {
      return;
    }
    ByteString last = read.records().isEmpty()
        ? ByteString.EMPTY : read.records().get(read.records().size() - 1).getKey();
    sentRecords += read.records().size();
    sentBytes += read.bytes();
    service.counters.chunksSent++;
    service.counters.bytesSent += read.bytes();
    TransferChunk.Builder chunk = TransferChunk.newBuilder()
        .setTransferId(key.id())
        .setPartition(partition)
        .setSequence(req.getSequence())
        .setAfterKey(req.getAfterKey())
        .addAllRecords(read.records())
        .setLastKey(last)
        .setDone(read.done())
        .setCrc32C(TransferChunks.checksum(partition, req.getAfterKey(), read.records(), last, read.done()))
        .setEstimatedBytes(estimatedBytes)
        .setSentRecords(sentRecords)
        .setSentBytes(sentBytes);
    service.send(key.target(), Envelope.newBuilder().setTransferChunk(chunk));
    if (read.done()) {
      log.info("sent the last chunk of partition {} to {} (transfer {}): {} records, {} bytes from this snapshot",
          partition, key.target(), key.id(), sentRecords, sentBytes);
    }
    if (pending != null && pending.getSequence() > req.getSequence()) {
      servePending();
    } else {
      pending = null;
    }
  }

  private void armIdleTimer() {
    long idle = service.settings.sourceIdleMillis();
    idleTimer = service.scheduler.schedule(idle, () -> {
      idleTimer = null;
      if (closed) {
        return;
      }
      long quiet = service.clock.monotonicMillis() - lastHeardMillis;
      if (quiet >= idle && !busy) {
        log.info("releasing the snapshot of transfer {} to {}: no request for {} ms", key.id(),
            key.target(), quiet);
        close();
      } else {
        armIdleTimer();
      }
    });
  }

  /** Releases the snapshot (off the protocol thread) and forgets the transfer. Idempotent. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    pending = null;
    if (idleTimer != null) {
      idleTimer.cancel();
      idleTimer = null;
    }
    if (snapshot != null) {
      release(snapshot);
      snapshot = null;
    }
    service.outgoingClosed(this);
  }

  private void release(StorageSnapshot s) {
    service.storage.execute(() -> {
      s.close();
      return null;
    }, (r, e) -> {
      if (e != null) {
        log.warn("releasing a snapshot failed", e);
      }
    });
  }
}

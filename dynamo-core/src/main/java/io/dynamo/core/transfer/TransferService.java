package io.dynamo.core.transfer;

import io.dynamo.core.log.RateLimitedLog;
import io.dynamo.core.log.Untrusted;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.TransferChunkRequest;
import io.dynamo.proto.v1.TransferClose;
import io.dynamo.proto.v1.TransferError;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's partition transfers, both ways (docs/transfers.md). As a <b>target</b> it pulls a
 * partition from a source owner ({@link #start}); as a <b>source</b> it answers the chunk requests
 * of other nodes' targets from storage snapshots. Everything runs on the protocol thread: the
 * node's dispatcher hands it every envelope whose body {@link #handles} says is a transfer message
 * ({@link #onMessage}), and storage work goes through the {@link StorageExecutor}.
 *
 * <p>Not thread-safe: call every method on the protocol thread.
 */
public final class TransferService {
  private static final Logger log = LoggerFactory.getLogger(TransferService.class);

  final NodeId self;
  final TransferSettings settings;
  final LocalReplica replica;
  final Function<String, ConflictMode> conflictModes;
  final Clock clock;
  final Scheduler scheduler;
  final StorageExecutor storage;
  final PeerSink peers;
  final RateLimitedLog peerLog;
  final TokenBucket inboundRate;
  final TokenBucket outboundRate;
  private final SourcePolicy policy;

  private final Map<TransferId, IncomingTransfer> incoming = new LinkedHashMap<>();
  private final Deque<IncomingTransfer> queued = new ArrayDeque<>();
  private final Map<OutgoingTransfer.Key, OutgoingTransfer> outgoing = new HashMap<>();
  /**
   * Outgoing transfers their target closed as completed, and when: a late duplicate request for one
   * is dropped instead of opening a new snapshot. Bounded; entries older than the source idle time
   * are ignored.
   */
  private final Map<OutgoingTransfer.Key, Long> completedOutgoing = new LinkedHashMap<>(16, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<OutgoingTransfer.Key, Long> eldest) {
      return size() > MAX_REMEMBERED_COMPLETIONS;
    }
  };
  private static final int MAX_REMEMBERED_COMPLETIONS = 1024;
  private int running;
  private boolean closed;
  final Counters counters = new Counters();

  /** Decides whether this node, as a source, serves a partition to a node asking for it. */
  @FunctionalInterface
  public interface SourcePolicy {
    SourcePolicy ANY = (target, partition) -> true;

    boolean mayServe(NodeId target, int partition);
  }

  /** Node-wide counts, for metrics. */
  public record Stats(
      int incomingRunning,
      int incomingQueued,
      int outgoingOpen,
      long chunksApplied,
      long chunksSent,
      long bytesSent,
      long corruptChunks,
      long refusedChunks,
      long refusedRequests,
      long retries,
      long busyRefusals) {}

  static final class Counters {
    long chunksApplied;
    long chunksSent;
    long bytesSent;
    long corruptChunks;
    long refusedChunks;
    long refusedRequests;
    long retries;
    long busyRefusals;
  }

  /**
   * @param replica this node's replica; incoming records are merged through it (its per-key locks)
   * @param conflictModes each bucket's conflict mode, for merging incoming records; called on
   *     storage threads, so it must be thread-safe
   * @param policy which partitions this node serves to whom (for example: only to a pending owner
   *     of a partition it owns)
   */
  public TransferService(
      NodeId self,
      TransferSettings settings,
      LocalReplica replica,
      Function<String, ConflictMode> conflictModes,
      SourcePolicy policy,
      Clock clock,
      Scheduler scheduler,
      StorageExecutor storage,
      PeerSink peers) {
    this.self = Objects.requireNonNull(self, "self");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.replica = Objects.requireNonNull(replica, "replica");
    this.conflictModes = Objects.requireNonNull(conflictModes, "conflictModes");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.storage = Objects.requireNonNull(storage, "storage");
    this.peers = Objects.requireNonNull(peers, "peers");
    this.peerLog = RateLimitedLog.of(log, clock::monotonicMillis);
    this.inboundRate = new TokenBucket(settings.bytesPerSecond(), settings.burstBytes());
    this.outboundRate = new TokenBucket(settings.bytesPerSecond(), settings.burstBytes());
  }

  /** Whether {@code message} is a transfer message (Envelope fields 50 to 59). */
  public static boolean handles(Envelope message) {
    return switch (message.getBodyCase()) {
      case TRANSFER_CHUNK_REQUEST, TRANSFER_CHUNK, TRANSFER_ERROR, TRANSFER_CLOSE -> true;
      default -> false;
    };
  }

  /**
   * Starts pulling {@code partition} from {@code source}, or resumes the transfer {@code id} from its
   * persisted progress (after a restart, start it again with the same id). The future completes on
   * the protocol thread with the final progress, or exceptionally with a {@link
   * TransferFailedException} on failure or cancellation. Starting an id that is already running
   * returns that transfer's future.
   */
  public CompletableFuture<TransferProgress> start(TransferId id, int partition, NodeId source) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    if (!TransferChunks.validPartition(partition)) {
      throw new IllegalArgumentException("invalid partition " + partition);
    }
    if (source.equals(self)) {
      throw new IllegalArgumentException("a node cannot transfer from itself");
    }
    if (closed) {
      throw new IllegalStateException("transfer service closed");
    }
    IncomingTransfer existing = incoming.get(id);
    if (existing != null && !existing.state().finished()) {
      if (existing.partition != partition || !existing.source.equals(source)) {
        throw new IllegalArgumentException("transfer " + id + " is already running for partition "
            + existing.partition + " from " + existing.source);
      }
      return existing.future;
    }
    IncomingTransfer t = new IncomingTransfer(this, id, partition, source);
    incoming.put(id, t);
    queued.add(t);
    promote();
    return t.future;
  }

  /** Calls off an incoming transfer; its persisted progress stays (start it again to resume). */
  public void cancel(TransferId id) {
    IncomingTransfer t = incoming.get(id);
    if (t == null || t.state().finished()) {
      return;
    }
    queued.remove(t);
    t.cancel("cancelled");
  }

  /**
   * Deletes the persisted progress of a finished transfer (once the move is committed, the record
   * of it is no longer needed). Completes when the row is gone.
   */
  public CompletableFuture<Void> forget(TransferId id) {
    IncomingTransfer t = incoming.get(id);
    if (t != null && !t.state().finished()) {
      throw new IllegalStateException("transfer " + id + " is still " + t.state());
    }
    incoming.remove(id);
    CompletableFuture<Void> done = new CompletableFuture<>();
    storage.execute(() -> {
      ProgressRow.delete(replica.engine(), id);
      return null;
    }, (r, e) -> complete(done, e));
    return done;
  }

  /**
   * Deletes this node's copy of {@code partition} (an old owner's, once the move is committed and
   * every node has switched its reads). Completes when the range delete is written.
   */
  public CompletableFuture<Void> deletePartition(int partition) {
    if (!TransferChunks.validPartition(partition)) {
      throw new IllegalArgumentException("invalid partition " + partition);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    storage.execute(() -> {
      replica.engine().deleteRange(Keyspace.DATA, TransferChunks.start(partition), TransferChunks.end(partition));
      return null;
    }, (r, e) -> complete(done, e));
    return done;
  }

  private static void complete(CompletableFuture<Void> future, Throwable error) {
    if (error == null) {
      future.complete(null);
    } else {
      future.completeExceptionally(error);
    }
  }

  /** The progress of an incoming transfer this service knows of (running, queued or finished). */
  public Optional<TransferProgress> progress(TransferId id) {
    IncomingTransfer t = incoming.get(id);
    return t == null ? Optional.empty() : Optional.of(t.progress());
  }

  /** Every incoming transfer this service knows of, in start order. */
  public List<TransferProgress> incoming() {
    List<TransferProgress> out = new ArrayList<>(incoming.size());
    for (IncomingTransfer t : incoming.values()) {
      out.add(t.progress());
    }
    return out;
  }

  public Stats stats() {
    return new Stats(running, queued.size(), outgoing.size(), counters.chunksApplied,
        counters.chunksSent, counters.bytesSent, counters.corruptChunks, counters.refusedChunks,
        counters.refusedRequests, counters.retries, counters.busyRefusals);
  }

  /** Handles one transfer message from {@code from}. Malformed input is refused and logged. */
  public void onMessage(NodeId from, Envelope message) {
    if (closed) {
      return;
    }
    switch (message.getBodyCase()) {
      case TRANSFER_CHUNK_REQUEST -> onRequest(from, message.getTransferChunkRequest());
      case TRANSFER_CHUNK -> {
        IncomingTransfer t = incomingFor(message.getTransferChunk().getTransferId(), from);
        if (t != null) {
          t.onChunk(message.getTransferChunk());
        }
      }
      case TRANSFER_ERROR -> {
        IncomingTransfer t = incomingFor(message.getTransferError().getTransferId(), from);
        if (t != null) {
          t.onError(message.getTransferError());
        }
      }
      case TRANSFER_CLOSE -> {
        TransferClose c = message.getTransferClose();
        if (TransferId.valid(c.getTransferId())) {
          OutgoingTransfer.Key key = new OutgoingTransfer.Key(from, c.getTransferId());
          OutgoingTransfer o = outgoing.get(key);
          if (o != null) {
            o.close();
          }
          if (c.getCompleted()) {
            completedOutgoing.put(key, clock.monotonicMillis());
          }
        }
      }
      default -> peerLog.warn("transfer-unexpected", "not a transfer message from {}: {}",
          from, message.getBodyCase());
    }
  }

  private IncomingTransfer incomingFor(String rawId, NodeId from) {
    if (!TransferId.valid(rawId)) {
      peerLog.warn("transfer-bad-id", "ignoring a transfer message from {} with an invalid id '{}'",
          from, Untrusted.escape(rawId));
      return null;
    }
    IncomingTransfer t = incoming.get(new TransferId(rawId));
    if (t == null || !t.source.equals(from)) {
      return null; // stale: a finished, forgotten or unknown transfer, or not from its source
    }
    return t;
  }

  private void onRequest(NodeId from, TransferChunkRequest req) {
    String invalid = invalidRequest(req);
    if (invalid != null) {
      counters.refusedRequests++;
      peerLog.warn("transfer-bad-request", "refusing a chunk request from {}: {}", from, invalid);
      sendError(from, req, TransferError.Code.INVALID, invalid, 0);
      return;
    }
    int partition = req.getPartition();
    OutgoingTransfer.Key key = new OutgoingTransfer.Key(from, req.getTransferId());
    OutgoingTransfer o = outgoing.get(key);
    if (o == null) {
      Long completedAt = completedOutgoing.get(key);
      if (completedAt != null) {
        if (clock.monotonicMillis() - completedAt < settings.sourceIdleMillis()) {
          return; // a late duplicate of a request its target no longer waits for
        }
        completedOutgoing.remove(key);
      }
      if (!policy.mayServe(from, partition)) {
        counters.refusedRequests++;
        peerLog.warn("transfer-refused", "refusing to serve partition {} to {}", partition, from);
        sendError(from, req, TransferError.Code.REFUSED, "this node does not serve that partition to you", 0);
        return;
      }
      if (outgoing.size() >= settings.maxOutgoing()) {
        counters.busyRefusals++;
        sendError(from, req, TransferError.Code.BUSY, "serving " + outgoing.size() + " transfers",
            settings.busyRetryMillis());
        return;
      }
      o = new OutgoingTransfer(this, key, partition);
      outgoing.put(key, o);
    } else if (o.partition != partition) {
      counters.refusedRequests++;
      sendError(from, req, TransferError.Code.INVALID, "transfer id already used for another partition", 0);
      return;
    }
    o.onRequest(req);
  }

  private String invalidRequest(TransferChunkRequest req) {
    if (!TransferId.valid(req.getTransferId())) {
      return "invalid transfer id '" + Untrusted.escape(req.getTransferId()) + "'";
    }
    if (!TransferChunks.validPartition(req.getPartition() & 0xffffffffL)) {
      return "invalid partition " + (req.getPartition() & 0xffffffffL);
    }
    byte[] after = req.getAfterKey().toByteArray();
    if (after.length > 0 && !TransferChunks.inPartition(after, req.getPartition())) {
      return "after_key lies outside partition " + req.getPartition();
    }
    if (req.getMaxBytes() <= 0 || req.getMaxRecords() <= 0) {
      return "max_bytes and max_records must be positive";
    }
    return null;
  }

  void sendError(NodeId to, TransferChunkRequest req, TransferError.Code code, String text, long retryAfter) {
    peers.send(to, Envelope.newBuilder().setProtocolVersion(1).setTransferError(
        TransferError.newBuilder()
            .setTransferId(TransferId.valid(req.getTransferId()) ? req.getTransferId() : "")
            .setPartition(req.getPartition())
            .setSequence(req.getSequence())
            .setCode(code)
            .setMessage(text)
            .setRetryAfterMillis((int) Math.min(Integer.MAX_VALUE, retryAfter)))
        .build());
  }

  void send(NodeId to, Envelope.Builder message) {
    peers.send(to, message.setProtocolVersion(1).build());
  }

  /** An outgoing transfer released its snapshot. */
  void outgoingClosed(OutgoingTransfer o) {
    outgoing.remove(o.key, o);
  }

  /** An incoming transfer finished one way or another: its slot goes to the next queued. */
  void incomingFinished(IncomingTransfer t) {
    if (t.holdsSlot) {
      t.holdsSlot = false;
      running--;
    }
    promote();
  }

  private void promote() {
    while (!closed && running < settings.maxIncoming() && !queued.isEmpty()) {
      IncomingTransfer next = queued.poll();
      next.holdsSlot = true;
      running++;
      next.activate();
    }
  }

  /**
   * Stops every transfer without failing it (a node shutting down): timers are cancelled, outgoing
   * snapshots released, incoming futures left incomplete; persisted progress stays for a resume.
   */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (IncomingTransfer t : incoming.values()) {
      t.stop();
    }
    for (OutgoingTransfer o : new ArrayList<>(outgoing.values())) {
      o.close();
    }
    queued.clear();
  }
}

package io.dynamo.core.coordinator;

import com.google.protobuf.ByteString;
import io.dynamo.core.node.Operation;
import io.dynamo.core.node.Replies;
import io.dynamo.core.quorum.QuorumTracker;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.DeleteResponse;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.PutResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Coordinates a put or delete after the coordinator has written the new version locally: counts
 * that local write and the replicas' acknowledgements towards W, and answers the caller once W is
 * reached or can no longer be. It stays until every target has answered or the deadline passes:
 * targets that never acknowledged (dropped, slow, or failing while believed up) are handed to
 * {@code missed}, which keeps a durable hint for each, so a write that reached W reaches every
 * replica through handoff and not only through read repair.
 */
final class PutOperation implements Operation {
  private final long requestId;
  private final boolean delete;
  private final QuorumTracker tracker;
  private final Consumer<Envelope> reply;
  /** Gets the stored record and the targets that did not acknowledge it. */
  private final BiConsumer<byte[], Set<NodeId>> missed;
  /**
   * Nodes also sent the write whose acknowledgement does not count towards W (a partition's pending
   * owner, or its old owner just after a switch), not answered yet: waited for and hinted like
   * targets.
   */
  private final Set<NodeId> extras = new java.util.HashSet<>();
  private final List<NodeId> replicas;
  private LocalReplica.Coordinated written;
  private boolean answered;

  PutOperation(
      long requestId,
      boolean delete,
      List<NodeId> replicas,
      int w,
      Consumer<Envelope> reply,
      BiConsumer<byte[], Set<NodeId>> missed) {
    this.replicas = replicas; // a plan's targets: immutable already
    this.requestId = requestId;
    this.delete = delete;
    this.tracker = new QuorumTracker(replicas, w);
    this.reply = reply;
    this.missed = missed;
  }

  /**
   * Nodes that also get the write without counting towards W (see {@link #extras}); call before
   * {@link #onLocalWrite}, when the write is about to be sent.
   */
  void alsoWaitFor(List<NodeId> more) {
    for (NodeId node : more) {
      if (!replicas.contains(node)) {
        extras.add(node);
      }
    }
  }

  /** The local write finished; returns true when the operation is over. */
  boolean onLocalWrite(NodeId self, LocalReplica.Coordinated written) {
    this.written = written;
    tracker.onSuccess(self);
    return decide();
  }

  @Override
  public boolean onMessage(NodeId from, Envelope message) {
    if (!message.hasReplicaWriteResponse() || written == null) {
      return false;
    }
    StatusCode code = message.getReplicaWriteResponse().getCode();
    if (extras.contains(from)) {
      if (code == StatusCode.OK) {
        extras.remove(from);
      }
      return decide();
    }
    if (code == StatusCode.OK) {
      tracker.onSuccess(from);
    } else {
      tracker.onFailure(from);
    }
    return decide();
  }

  @Override
  public void onTimeout() {
    if (!answered) {
      answered = true;
      reply.accept(
          Replies.error(
              requestId,
              Replies.writeIncomplete(
                  what(), tracker.required(), tracker.successes(), "before the deadline")));
    }
    if (written != null) {
      hintUnacknowledged();
    }
  }

  private boolean decide() {
    if (!answered) {
      switch (tracker.outcome()) {
        case SUCCEEDED -> {
          answered = true;
          reply.accept(success());
        }
        case FAILED -> {
          answered = true;
          reply.accept(
              Replies.error(
                  requestId,
                  Replies.writeIncomplete(
                      what(), tracker.required(), tracker.successes(), "before the others failed")));
        }
        default -> {}
      }
    }
    if (tracker.allAnswered() && extras.isEmpty()) {
      hintUnacknowledged();
      return true;
    }
    return false;
  }

  private void hintUnacknowledged() {
    Set<NodeId> unacknowledged = new java.util.HashSet<>(tracker.unacknowledged());
    unacknowledged.addAll(extras);
    if (!unacknowledged.isEmpty()) {
      missed.accept(written.record(), unacknowledged);
    }
  }

  private Envelope success() {
    VectorClock clock = written.writerContext();
    ByteString context =
        clock.isEmpty() ? ByteString.EMPTY : ByteString.copyFrom(VersionCodec.encodeClock(clock));
    boolean siblings = written.hasSiblings();
    // Unlike the context, given also beside siblings: it names this version, not what it replaces.
    ByteString version = ByteString.copyFrom(VersionCodec.encodeClock(written.created().clock()));
    Envelope.Builder b = Replies.envelope(requestId);
    if (delete) {
      b.setDeleteResponse(
          DeleteResponse.newBuilder().setContext(context).setSiblings(siblings).setVersion(version));
    } else {
      b.setPutResponse(
          PutResponse.newBuilder().setContext(context).setSiblings(siblings).setVersion(version));
    }
    return b.build();
  }

  private String what() {
    return delete ? "delete" : "write";
  }
}

package io.dynamo.core.node;

import com.google.protobuf.ByteString;
import io.dynamo.core.quorum.QuorumTracker;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.DeleteResponse;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ErrorResponse;
import io.dynamo.proto.v1.PutResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.List;
import java.util.function.Consumer;

/**
 * Coordinates a put or delete after the coordinator has written the new version locally: counts
 * that local write and the replicas' acknowledgements towards W.
 */
final class PutOperation implements Operation {
  private final long requestId;
  private final boolean delete;
  private final QuorumTracker tracker;
  private final Consumer<Envelope> reply;
  private LocalReplica.Coordinated written;

  PutOperation(
      long requestId, boolean delete, List<NodeId> replicas, int w, Consumer<Envelope> reply) {
    this.requestId = requestId;
    this.delete = delete;
    this.tracker = new QuorumTracker(replicas, w);
    this.reply = reply;
  }

  /** The local write finished; returns true when that alone decides the operation. */
  boolean onLocalWrite(NodeId self, LocalReplica.Coordinated written) {
    this.written = written;
    return decide(tracker.onSuccess(self));
  }

  @Override
  public boolean onMessage(NodeId from, Envelope message) {
    if (!message.hasReplicaWriteResponse()) {
      return false;
    }
    StatusCode code = message.getReplicaWriteResponse().getCode();
    return decide(code == StatusCode.OK ? tracker.onSuccess(from) : tracker.onFailure(from));
  }

  @Override
  public void onTimeout() {
    fail();
  }

  private boolean decide(QuorumTracker.Outcome outcome) {
    switch (outcome) {
      case SUCCEEDED -> {
        VectorClock clock = written.writerContext();
        ByteString context =
            clock.isEmpty() ? ByteString.EMPTY : ByteString.copyFrom(VersionCodec.encodeClock(clock));
        boolean siblings = written.hasSiblings();
        Envelope.Builder b = Replies.envelope(requestId);
        if (delete) {
          b.setDeleteResponse(DeleteResponse.newBuilder().setContext(context).setSiblings(siblings));
        } else {
          b.setPutResponse(PutResponse.newBuilder().setContext(context).setSiblings(siblings));
        }
        reply.accept(b.build());
        return true;
      }
      case FAILED -> {
        fail();
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private void fail() {
    ErrorResponse error =
        Replies.quorumUnavailable(
            delete ? "delete" : "write", tracker.required(), tracker.successes());
    reply.accept(Replies.error(requestId, error));
  }
}

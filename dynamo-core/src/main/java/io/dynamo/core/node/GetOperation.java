package io.dynamo.core.node;

import com.google.protobuf.ByteString;
import io.dynamo.core.quorum.QuorumTracker;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetResponse;
import io.dynamo.proto.v1.ReplicaReadResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/** Coordinates a get: asks the replicas, merges what R of them hold, answers the client. */
final class GetOperation implements Operation {
  private final long requestId;
  private final QuorumTracker tracker;
  private final ConflictMode mode;
  private final Consumer<Envelope> reply;
  private SiblingSet merged = SiblingSet.EMPTY;

  GetOperation(
      long requestId, List<NodeId> replicas, int r, ConflictMode mode, Consumer<Envelope> reply) {
    this.requestId = requestId;
    this.tracker = new QuorumTracker(replicas, r);
    this.mode = mode;
    this.reply = reply;
  }

  @Override
  public boolean onMessage(NodeId from, Envelope message) {
    if (!message.hasReplicaReadResponse()) {
      return false;
    }
    ReplicaReadResponse response = message.getReplicaReadResponse();
    QuorumTracker.Outcome outcome;
    if (response.getCode() == StatusCode.OK && !tracker.hasAnswered(from)) {
      try {
        merged = merged.merge(ProtoVersions.fromProto(response.getSiblingsList()), mode);
        outcome = tracker.onSuccess(from);
      } catch (IllegalArgumentException e) {
        outcome = tracker.onFailure(from);
      }
    } else {
      outcome = tracker.onFailure(from);
    }
    return switch (outcome) {
      case SUCCEEDED -> {
        reply.accept(Replies.envelope(requestId).setGetResponse(toResponse(merged)).build());
        yield true;
      }
      case FAILED -> {
        fail();
        yield true;
      }
      case PENDING -> false;
    };
  }

  @Override
  public void onTimeout() {
    fail();
  }

  private void fail() {
    reply.accept(
        Replies.error(
            requestId, Replies.quorumUnavailable("read", tracker.required(), tracker.successes())));
  }

  static GetResponse toResponse(SiblingSet set) {
    GetResponse.Builder b = GetResponse.newBuilder();
    List<byte[]> distinct = new ArrayList<>();
    for (byte[] value : set.values()) {
      if (distinct.stream().noneMatch(d -> Arrays.equals(d, value))) {
        distinct.add(value);
        b.addValues(ByteString.copyFrom(value));
      }
    }
    if (!set.isEmpty()) {
      b.setContext(ByteString.copyFrom(VersionCodec.encodeClock(set.context())));
    }
    return b.setDeleted(set.deleted()).build();
  }
}

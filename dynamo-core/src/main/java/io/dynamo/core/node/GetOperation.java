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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Coordinates a get: asks the replicas, answers the client with what R of them hold, then keeps
 * listening until every replica answered (or the deadline) and repairs those that lacked versions
 * the others had. Repair sends the merged set, which a replica merges into its own, so it never
 * discards a sibling a replica has and the others lack.
 */
final class GetOperation implements Operation {
  private final long requestId;
  private final List<NodeId> asked;
  private final QuorumTracker tracker;
  private final ConflictMode mode;
  private final Consumer<Envelope> reply;
  private final BiConsumer<NodeId, SiblingSet> repair;
  private final Map<NodeId, SiblingSet> answers = new LinkedHashMap<>();
  private SiblingSet merged = SiblingSet.EMPTY;
  private boolean answered;

  GetOperation(
      long requestId,
      List<NodeId> replicas,
      int r,
      ConflictMode mode,
      Consumer<Envelope> reply,
      BiConsumer<NodeId, SiblingSet> repair) {
    this.requestId = requestId;
    this.asked = List.copyOf(replicas);
    this.tracker = new QuorumTracker(replicas, r);
    this.mode = mode;
    this.reply = reply;
    this.repair = repair;
  }

  @Override
  public boolean onMessage(NodeId from, Envelope message) {
    if (!message.hasReplicaReadResponse() || tracker.hasAnswered(from)) {
      return false;
    }
    ReplicaReadResponse response = message.getReplicaReadResponse();
    QuorumTracker.Outcome outcome;
    if (response.getCode() == StatusCode.OK) {
      try {
        SiblingSet set = ProtoVersions.fromProto(response.getSiblingsList());
        answers.put(from, set);
        merged = merged.merge(set, mode);
        outcome = tracker.onSuccess(from);
      } catch (IllegalArgumentException e) {
        outcome = tracker.onFailure(from);
      }
    } else {
      outcome = tracker.onFailure(from);
    }
    if (!answered) {
      switch (outcome) {
        case SUCCEEDED -> {
          answered = true;
          reply.accept(Replies.envelope(requestId).setGetResponse(toResponse(merged)).build());
        }
        case FAILED -> {
          fail();
          return true;
        }
        default -> {}
      }
    }
    if (answered && everyoneAnswered()) {
      repairStale();
      return true;
    }
    return false;
  }

  @Override
  public void onTimeout() {
    if (answered) {
      repairStale();
    } else {
      fail();
    }
  }

  private boolean everyoneAnswered() {
    return asked.stream().allMatch(tracker::hasAnswered);
  }

  private void repairStale() {
    for (Map.Entry<NodeId, SiblingSet> e : answers.entrySet()) {
      if (!e.getValue().equals(merged)) {
        repair.accept(e.getKey(), merged);
      }
    }
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

package io.dynamo.core.node;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ErrorResponse;
import io.dynamo.proto.v1.GetResponse;
import io.dynamo.proto.v1.ReplicaWriteRequest;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builders for the envelopes the node sends back. */
public final class Replies {
  public static final int PROTOCOL_VERSION = 1;

  private Replies() {}

  public static Envelope.Builder envelope(long requestId) {
    return Envelope.newBuilder().setProtocolVersion(PROTOCOL_VERSION).setRequestId(requestId);
  }

  public static Envelope error(long requestId, StatusCode code, String message) {
    return envelope(requestId)
        .setError(ErrorResponse.newBuilder().setCode(code).setMessage(message))
        .build();
  }

  public static Envelope error(long requestId, ErrorResponse error) {
    return envelope(requestId).setError(error).build();
  }

  /**
   * A replica write carrying a sibling set in its stored record form; {@code hintFor} names the
   * home a substitute covers.
   */
  public static Envelope replicaWrite(
      long opId, String bucket, ByteString key, int partition, ByteString record, NodeId hintFor) {
    return replicaWrite(opId, bucket, key, partition, record, hintFor, false);
  }

  /** As above; {@code homeCopy} for a copy a coordinator counts as a home replica's. */
  public static Envelope replicaWrite(
      long opId, String bucket, ByteString key, int partition, ByteString record, NodeId hintFor,
      boolean homeCopy) {
    ReplicaWriteRequest.Builder write =
        ReplicaWriteRequest.newBuilder()
            .setOpId(opId)
            .setBucket(bucket)
            .setKey(key)
            .setPartition(partition)
            .setRecord(record)
            .setHomeCopy(homeCopy);
    if (hintFor != null) {
      write.setHintFor(hintFor.value());
    }
    return envelope(0).setReplicaWriteRequest(write).build();
  }

  /**
   * A write that did not reach W replicas but was applied on some (the coordinator's own write
   * happened): it may surface later, so it is not "nothing done".
   */
  public static ErrorResponse writeIncomplete(String what, int required, int acknowledged, String why) {
    return ErrorResponse.newBuilder()
        .setCode(StatusCode.TIMEOUT)
        .setMessage(
            what + " needed " + required + " replicas, " + acknowledged + " acknowledged " + why
                + "; it may have been applied and may surface later")
        .setRequired(required)
        .setAcknowledged(acknowledged)
        .build();
  }

  public static ErrorResponse quorumUnavailable(String what, int required, int acknowledged) {
    return ErrorResponse.newBuilder()
        .setCode(StatusCode.QUORUM_UNAVAILABLE)
        .setMessage(
            what + " needed " + required + " replicas, " + acknowledged + " answered in time")
        .setRequired(required)
        .setAcknowledged(acknowledged)
        .build();
  }

  /** The answer to a get: the distinct values of {@code set} and the context covering them. */
  public static GetResponse getResponse(SiblingSet set) {
    GetResponse.Builder b = GetResponse.newBuilder();
    List<byte[]> distinct = new ArrayList<>();
    for (byte[] value : set.values()) {
      if (distinct.stream().noneMatch(d -> Arrays.equals(d, value))) {
        distinct.add(value);
        b.addValues(com.google.protobuf.UnsafeByteOperations.unsafeWrap(value));
      }
    }
    if (!set.isEmpty()) {
      b.setContext(com.google.protobuf.UnsafeByteOperations.unsafeWrap(VersionCodec.encodeClock(set.context())));
    }
    return b.setDeleted(set.deleted()).build();
  }
}

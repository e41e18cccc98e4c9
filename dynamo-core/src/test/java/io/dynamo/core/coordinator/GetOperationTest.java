package io.dynamo.core.coordinator;

import com.google.protobuf.ByteString;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.RecordDigest;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.core.version.Versioned;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ReplicaReadResponse;
import io.dynamo.proto.v1.StatusCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class GetOperationTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");

  private static final Versioned V1 =
      Versioned.value(new Dot(A, 1, 100), VectorClock.EMPTY, bytes("one"));
  private static final Versioned V2 =
      Versioned.value(new Dot(A, 2, 200), V1.clock(), bytes("two"));
  private static final Versioned CONCURRENT =
      Versioned.value(new Dot(B, 1, 150), VectorClock.EMPTY, bytes("other"));

  private final List<Envelope> replies = new ArrayList<>();
  private final Map<NodeId, SiblingSet> repairs = new LinkedHashMap<>();
  private final List<String> reads = new ArrayList<>();
  private int speculated;
  /** Asks every replica at once (read.fanout=all). */
  private final GetOperation op =
      new GetOperation(
          7, List.of(A, B, C), 2, 3, ConflictMode.SIBLINGS, replies::add, repairs::put,
          () -> speculated++);
  /** Asks R replicas first (read.fanout=quorum); C is the spare. */
  private final GetOperation quorumOp =
      new GetOperation(
          7, List.of(A, B, C), 2, 2, ConflictMode.SIBLINGS, replies::add, repairs::put,
          () -> speculated++);

  private void start() {
    op.start(A, (node, digestOnly) -> reads.add(node + (digestOnly ? ":digest" : ":record")));
  }

  private void startQuorum() {
    quorumOp.start(A, (node, digestOnly) -> reads.add(node + (digestOnly ? ":digest" : ":record")));
  }

  @Test
  void aQuorumReadAsksOnlyRReplicasAndIsDoneWhenTheyAgree() {
    startQuorum();
    assertThat(reads).containsExactly("a:record", "b:digest");
    assertThat(quorumOp.hasSpares()).isTrue();
    assertThat(quorumOp.onMessage(A, record(SiblingSet.of(V2)))).isFalse();
    assertThat(quorumOp.onMessage(B, digest(SiblingSet.of(V2)))).isTrue();
    assertThat(values()).containsExactly("two");
    assertThat(reads).hasSize(2);
    assertThat(repairs).isEmpty();
  }

  @Test
  void aLateAnswerAsksTheSpareForItsDigestOnce() {
    startQuorum();
    quorumOp.onMessage(A, record(SiblingSet.of(V2)));
    assertThat(quorumOp.onReminder()).isFalse();
    assertThat(reads).containsExactly("a:record", "b:digest", "c:digest");
    assertThat(speculated).isEqualTo(1);
    assertThat(quorumOp.onMessage(C, digest(SiblingSet.of(V2)))).isFalse();
    assertThat(values()).containsExactly("two");
    assertThat(quorumOp.onMessage(B, digest(SiblingSet.of(V2))))
        .as("done once every replica asked answered")
        .isTrue();
    quorumOp.onReminder();
    assertThat(reads).hasSize(3);
    assertThat(speculated).isEqualTo(1);
  }

  @Test
  void aReminderAfterTheAnswerAsksNobody() {
    startQuorum();
    quorumOp.onMessage(A, record(SiblingSet.of(V2)));
    quorumOp.onMessage(B, digest(SiblingSet.of(V2)));
    quorumOp.onReminder();
    assertThat(reads).hasSize(2);
    assertThat(speculated).isZero();
  }

  @Test
  void aReadOfEveryReplicaHasNoSpareToSpeculateWith() {
    start();
    assertThat(op.hasSpares()).isFalse();
    op.onReminder();
    assertThat(reads).hasSize(3);
    assertThat(speculated).isZero();
  }

  @Test
  void aFailedDigestReplicaIsReplacedByTheSpareAtOnce() {
    startQuorum();
    quorumOp.onMessage(A, record(SiblingSet.of(V2)));
    quorumOp.onMessage(B, failure());
    assertThat(reads).containsExactly("a:record", "b:digest", "c:digest");
    assertThat(quorumOp.onMessage(C, digest(SiblingSet.of(V2)))).isTrue();
    assertThat(values()).containsExactly("two");
    assertThat(speculated).as("a failure is not a speculation").isZero();
  }

  @Test
  void aFailedRecordReplicaIsReplacedByTheSpareForItsRecord() {
    startQuorum();
    quorumOp.onMessage(A, failure());
    assertThat(reads).containsExactly("a:record", "b:digest", "c:record");
    quorumOp.onMessage(B, digest(SiblingSet.of(V2)));
    assertThat(quorumOp.onMessage(C, record(SiblingSet.of(V2)))).isTrue();
    assertThat(values()).containsExactly("two");
  }

  @Test
  void divergenceInAQuorumReadReadsEveryReplicaAndRepairsEachStaleOne() {
    startQuorum();
    quorumOp.onMessage(A, record(SiblingSet.of(V2)));
    quorumOp.onMessage(B, digest(SiblingSet.of(V1)));
    assertThat(reads).contains("b:record", "c:record");
    quorumOp.onMessage(B, record(SiblingSet.of(V1)));
    assertThat(values()).containsExactly("two");
    assertThat(quorumOp.onMessage(C, record(SiblingSet.of(V1)))).isTrue();
    assertThat(repairs).containsOnlyKeys(B, C);
    assertThat(repairs.values()).allMatch(SiblingSet.of(V2)::equals);
  }

  @Test
  void asksOneReplicaForTheRecordAndTheOthersForDigests() {
    start();
    assertThat(reads).containsExactly("a:record", "b:digest", "c:digest");
  }

  @Test
  void agreeingDigestsAnswerFromTheOneRecordAndRepairNothing() {
    start();
    SiblingSet stored = SiblingSet.of(V2);
    assertThat(op.onMessage(A, record(stored))).isFalse();
    assertThat(replies).isEmpty();
    assertThat(op.onMessage(B, digest(stored))).isFalse();
    assertThat(values()).containsExactly("two");
    assertThat(op.onMessage(C, digest(stored))).isTrue();
    assertThat(repairs).isEmpty();
    assertThat(reads).hasSize(3);
  }

  @Test
  void aStaleDigestAfterTheAnswerReadsInFullAndRepairsTheStaleReplica() {
    start();
    op.onMessage(A, record(SiblingSet.of(V2)));
    op.onMessage(B, digest(SiblingSet.of(V2)));
    assertThat(values()).containsExactly("two");
    assertThat(op.onMessage(C, digest(SiblingSet.of(V1)))).isFalse();
    assertThat(reads).contains("b:record", "c:record");
    op.onMessage(B, record(SiblingSet.of(V2)));
    assertThat(op.onMessage(C, record(SiblingSet.of(V1)))).isTrue();
    assertThat(repairs).containsOnlyKeys(C);
    assertThat(repairs.get(C)).isEqualTo(SiblingSet.of(V2));
    assertThat(replies).hasSize(1);
  }

  @Test
  void divergenceBeforeTheAnswerMergesRecordsIntoSiblings() {
    start();
    op.onMessage(A, record(SiblingSet.of(V1)));
    op.onMessage(B, digest(SiblingSet.of(CONCURRENT)));
    assertThat(replies).isEmpty();
    assertThat(reads).contains("b:record", "c:record");
    op.onMessage(B, record(SiblingSet.of(CONCURRENT)));
    assertThat(values()).containsExactlyInAnyOrder("one", "other");
    op.onMessage(C, digest(SiblingSet.of(V1)));
    assertThat(op.onMessage(C, record(SiblingSet.of(V1)))).isTrue();
    SiblingSet merged = SiblingSet.of(V1, CONCURRENT);
    assertThat(repairs).containsOnlyKeys(A, B, C);
    assertThat(repairs.values()).allMatch(merged::equals);
  }

  @Test
  void whenTheRecordReplicaFailsAnAgreeingReplicaIsAskedForItsRecord() {
    start();
    op.onMessage(A, failure());
    op.onMessage(B, digest(SiblingSet.of(V2)));
    assertThat(reads).doesNotContain("b:record");
    op.onMessage(C, digest(SiblingSet.of(V2)));
    assertThat(reads).containsOnlyOnce("b:record");
    assertThat(replies).isEmpty();
    assertThat(op.onMessage(B, record(SiblingSet.of(V2)))).isTrue();
    assertThat(values()).containsExactly("two");
  }

  @Test
  void anAbsentKeyNeedsNoRecord() {
    start();
    op.onMessage(B, absent());
    op.onMessage(C, absent());
    assertThat(replies).hasSize(1);
    assertThat(replies.get(0).getGetResponse().getValuesList()).isEmpty();
    assertThat(replies.get(0).getGetResponse().getContext().isEmpty()).isTrue();
  }

  @Test
  void tooManyFailuresFailTheRead() {
    start();
    op.onMessage(A, failure());
    assertThat(op.onMessage(B, failure())).isTrue();
    assertThat(replies.get(0).getError().getCode()).isEqualTo(StatusCode.QUORUM_UNAVAILABLE);
  }

  @Test
  void aCorruptRecordCountsAsAFailedReplica() {
    start();
    op.onMessage(A, response(ByteString.copyFromUtf8("not a record"), 12345L));
    op.onMessage(B, digest(SiblingSet.of(V2)));
    op.onMessage(C, digest(SiblingSet.of(V2)));
    assertThat(reads).contains("b:record");
    op.onMessage(B, record(SiblingSet.of(V2)));
    assertThat(values()).containsExactly("two");
  }

  @Test
  void aTimeoutAfterTheAnswerStillRepairsWhatDiverged() {
    start();
    op.onMessage(A, record(SiblingSet.of(V2)));
    op.onMessage(B, digest(SiblingSet.of(V2)));
    op.onMessage(C, digest(SiblingSet.of(V1)));
    op.onTimeout();
    assertThat(repairs).containsOnlyKeys(C);
    assertThat(replies).hasSize(1);
  }

  private List<String> values() {
    assertThat(replies).hasSize(1);
    return replies.get(0).getGetResponse().getValuesList().stream()
        .map(ByteString::toStringUtf8)
        .toList();
  }

  private static Envelope record(SiblingSet set) {
    byte[] record = VersionCodec.encodeSiblings(set);
    return response(ByteString.copyFrom(record), RecordDigest.of(record));
  }

  private static Envelope digest(SiblingSet set) {
    return response(ByteString.EMPTY, RecordDigest.of(VersionCodec.encodeSiblings(set)));
  }

  private static Envelope absent() {
    return response(ByteString.EMPTY, RecordDigest.ABSENT);
  }

  private static Envelope response(ByteString record, long digest) {
    return Replies.envelope(0)
        .setReplicaReadResponse(
            ReplicaReadResponse.newBuilder()
                .setOpId(1)
                .setCode(StatusCode.OK)
                .setRecord(record)
                .setDigest(digest))
        .build();
  }

  private static Envelope failure() {
    return Replies.envelope(0)
        .setReplicaReadResponse(
            ReplicaReadResponse.newBuilder().setOpId(1).setCode(StatusCode.STORAGE_ERROR))
        .build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

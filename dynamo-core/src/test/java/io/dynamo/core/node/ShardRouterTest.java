package io.dynamo.core.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.Ring;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ForwardRequest;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.Heartbeat;
import io.dynamo.proto.v1.PutRequest;
import io.dynamo.proto.v1.ReplicaReadRequest;
import io.dynamo.proto.v1.ReplicaReadResponse;
import io.dynamo.proto.v1.ReplicaWriteRequest;
import io.dynamo.proto.v1.ReplicaWriteResponse;
import io.dynamo.proto.v1.StatusRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardRouterTest {
  private final Ring ring =
      Ring.create(List.of(Member.of("n1", 1), Member.of("n2", 1), Member.of("n3", 1)), 64, 3);
  private final ShardRouter router = new ShardRouter(ring, 3);

  @Test
  void clientRequestsGoToTheShardOfTheirKeysPartition() {
    for (int i = 0; i < 200; i++) {
      ByteString key = ByteString.copyFromUtf8("key-" + i);
      int partition = ring.partitionOf("b", key.toByteArray());
      Envelope get =
          Replies.envelope(1).setGetRequest(GetRequest.newBuilder().setBucket("b").setKey(key)).build();
      Envelope put =
          Replies.envelope(1).setPutRequest(PutRequest.newBuilder().setBucket("b").setKey(key)).build();
      assertThat(router.partitionOfClientRequest(get)).isEqualTo(partition);
      assertThat(router.partitionOfClientRequest(put)).isEqualTo(partition);
      assertThat(router.shardOfPartition(partition)).isEqualTo(partition % 3);
    }
  }

  @Test
  void requestsWithoutAKeyGoToShardZero() {
    Envelope status = Replies.envelope(1).setStatusRequest(StatusRequest.getDefaultInstance()).build();
    assertThat(router.partitionOfClientRequest(status)).isEqualTo(ShardRouter.UNKNOWN_PARTITION);
    assertThat(router.shardOfPartition(ShardRouter.UNKNOWN_PARTITION)).isZero();
    Envelope heartbeat = Replies.envelope(0).setHeartbeat(Heartbeat.getDefaultInstance()).build();
    assertThat(router.shardOfPeerMessage(heartbeat)).isZero();
  }

  @Test
  void peerRequestsGoByPartitionAndAnswersByOperationId() {
    assertThat(router.shardOfPeerMessage(Replies.envelope(0)
        .setReplicaReadRequest(ReplicaReadRequest.newBuilder().setPartition(17)).build()))
        .isEqualTo(17 % 3);
    assertThat(router.shardOfPeerMessage(Replies.envelope(0)
        .setReplicaWriteRequest(ReplicaWriteRequest.newBuilder().setPartition(22)).build()))
        .isEqualTo(22 % 3);
    assertThat(router.shardOfPeerMessage(Replies.envelope(0)
        .setForwardRequest(ForwardRequest.newBuilder().setPartition(5)).build()))
        .isEqualTo(5 % 3);
    // Shard 2 of 3 issues ids 5, 8, 11...
    assertThat(router.shardOfPeerMessage(Replies.envelope(0)
        .setReplicaReadResponse(ReplicaReadResponse.newBuilder().setOpId(11)).build()))
        .isEqualTo(2);
    assertThat(router.shardOfPeerMessage(Replies.envelope(0)
        .setReplicaWriteResponse(ReplicaWriteResponse.newBuilder().setOpId(-1L)).build()))
        .as("ids are unsigned on the wire").isEqualTo((int) Long.remainderUnsigned(-1L, 3));
  }

  @Test
  void aPartitionOutOfRangeGoesToShardZero() {
    assertThat(router.shardOfPeerMessage(Replies.envelope(0)
        .setReplicaReadRequest(ReplicaReadRequest.newBuilder().setPartition(64)).build()))
        .isZero();
    assertThat(router.shardOfPeerMessage(Replies.envelope(0)
        .setReplicaReadRequest(ReplicaReadRequest.newBuilder().setPartition(-5)).build()))
        .isZero();
  }

  @Test
  void shardCountIsBounded() {
    assertThatThrownBy(() -> new ShardRouter(ring, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ShardRouter(ring, ShardRouter.MAX_SHARDS + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

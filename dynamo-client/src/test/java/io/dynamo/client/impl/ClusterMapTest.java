package io.dynamo.client.impl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.Partitioner;
import io.dynamo.proto.v1.BucketReplication;
import io.dynamo.proto.v1.ClusterMapMember;
import io.dynamo.proto.v1.ClusterMapPartition;
import io.dynamo.proto.v1.ClusterMapResponse;
import org.junit.jupiter.api.Test;

class ClusterMapTest {
  /** Four members; partition p's owners start at member p % 4 and go round. */
  private static ClusterMapResponse.Builder fourMembers(int partitions) {
    ClusterMapResponse.Builder b =
        ClusterMapResponse.newBuilder().setRingVersion(7).setPartitions(partitions).setDefaultN(3)
            .addBuckets(BucketReplication.newBuilder().setBucket("wide").setN(4));
    for (int i = 0; i < 4; i++) {
      b.addMembers(ClusterMapMember.newBuilder()
          .setNodeId("n" + i).setClientAddress("127.0.0.1:" + (7000 + i)).setUp(i != 2));
    }
    for (int p = 0; p < partitions; p++) {
      ClusterMapPartition.Builder o = ClusterMapPartition.newBuilder();
      for (int k = 0; k < 4; k++) {
        o.addOwners((p + k) % 4);
      }
      b.addOwners(o);
    }
    return b;
  }

  @Test
  void aKeysHomeReplicasAreTheFirstNOwnersOfThePartitionTheNodesWouldComputeForIt() {
    ClusterMap map = ClusterMap.from(fourMembers(16).build());
    assertThat(map.ringVersion()).isEqualTo(7);
    byte[] key = "alice".getBytes(UTF_8);
    int p = new Partitioner(16).partitionOf("carts", key);
    assertThat(map.homeReplicas("carts", key)).extracting(ClusterMap.Member::nodeId)
        .containsExactly("n" + p % 4, "n" + (p + 1) % 4, "n" + (p + 2) % 4);
    assertThat(map.homeReplicas("wide", key)).hasSize(4);
    assertThat(map.members()).extracting(ClusterMap.Member::up).containsExactly(true, true, false, true);
  }

  @Test
  void anAnswerThatDoesNotHoldTogetherIsNoMap() {
    assertThat(ClusterMap.from(fourMembers(16).setRingVersion(0).build())).as("no ring yet").isNull();
    assertThat(ClusterMap.from(fourMembers(16).setPartitions(17).build())).as("owners missing").isNull();
    ClusterMapResponse.Builder bad = fourMembers(2);
    bad.setOwners(1, ClusterMapPartition.newBuilder().addOwners(9));
    assertThat(ClusterMap.from(bad.build())).as("owner past the members").isNull();
  }
}

package io.dynamo.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.proto.v1.ClusterStateProto;
import io.dynamo.proto.v1.MemberStatusEntry;
import io.dynamo.proto.v1.PartitionOwnersProto;
import io.dynamo.proto.v1.RingStateProto;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Round trips, and untrusted bytes refused with the codec's own exception only. */
class ClusterStateCodecProperties {
  @Property(tries = 500)
  void roundTrips(@ForAll long seed, @ForAll boolean honest) {
    ClusterState state = new ClusterStates(seed, honest).state();
    ClusterState back = ClusterStateCodec.decode(ClusterStateCodec.encode(state));
    assertThat(back).isEqualTo(state);
    assertThat(back.digest()).isEqualTo(state.digest());
    assertThat(ClusterStateCodec.digestFromProto(ClusterStateCodec.digestToProto(state.digest())))
        .isEqualTo(state.digest());
  }

  @Property(tries = 1000)
  void corruptedBytesDecodeOrAreRefused(@ForAll long seed) {
    ClusterStates g = new ClusterStates(seed, false);
    Random random = g.random();
    byte[] bytes = ClusterStateCodec.encode(g.state());
    if (bytes.length > 0) {
      int flips = 1 + random.nextInt(4);
      for (int i = 0; i < flips; i++) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
    }
    if (random.nextBoolean() && bytes.length > 1) {
      bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
    }
    assertDecodesOrRefuses(bytes);
  }

  @Property(tries = 500)
  void randomBytesDecodeOrAreRefused(@ForAll byte[] bytes) {
    assertDecodesOrRefuses(bytes);
  }

  private static void assertDecodesOrRefuses(byte[] bytes) {
    try {
      ClusterState s = ClusterStateCodec.decode(bytes);
      // Whatever decodes is a valid state that encodes and decodes to itself.
      assertThat(ClusterStateCodec.decode(ClusterStateCodec.encode(s))).isEqualTo(s);
    } catch (MalformedClusterStateException expected) {
      assertThat(expected).hasMessageNotContaining("\n");
    }
  }

  @Test
  void refusesDanglingOwnerIndex() {
    RingStateProto ring = ClusterStateCodec.ringToProto(new ClusterStates(1, true).ring(1, 0))
        .toBuilder()
        .clearOwners()
        .setPartitions(1)
        .addOwners(PartitionOwnersProto.newBuilder().addOwners(99))
        .build();
    byte[] bytes = ClusterStateProto.newBuilder().setRing(ring).build().toByteArray();
    assertThatThrownBy(() -> ClusterStateCodec.decode(bytes))
        .isInstanceOf(MalformedClusterStateException.class)
        .hasMessageContaining("owner index 99");
  }

  @Test
  void refusesUnknownStatusAndDuplicateMembers() {
    RingStateProto ring = ClusterStateCodec.ringToProto(new ClusterStates(1, true).ring(1, 0));
    RingStateProto unknown = ring.toBuilder()
        .addMembers(MemberStatusEntry.newBuilder().setNodeId("x").setStatusValue(42))
        .build();
    assertThatThrownBy(() -> ClusterStateCodec.decode(
            ClusterStateProto.newBuilder().setRing(unknown).build().toByteArray()))
        .isInstanceOf(MalformedClusterStateException.class)
        .hasMessageContaining("unknown member status 42");
    RingStateProto twice = ring.toBuilder().addMembers(ring.getMembers(0)).build();
    assertThatThrownBy(() -> ClusterStateCodec.decode(
            ClusterStateProto.newBuilder().setRing(twice).build().toByteArray()))
        .isInstanceOf(MalformedClusterStateException.class)
        .hasMessageContaining("twice");
  }

  @Test
  void refusesOversizedInput() {
    assertThatThrownBy(
            () -> ClusterStateCodec.decode(new byte[ClusterStateCodec.MAX_ENCODED_BYTES + 1]))
        .isInstanceOf(MalformedClusterStateException.class)
        .hasMessageContaining("exceeds");
  }
}

package io.dynamo.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.ClusterStateProto;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.GossipDelta;
import io.dynamo.proto.v1.GossipDigest;
import io.dynamo.proto.v1.NodeDigestProto;
import io.dynamo.proto.v1.NodeEntryProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GossiperTest {
  record Sent(NodeId to, String address, Envelope message) {}

  final List<Sent> sent = new ArrayList<>();
  final List<ClusterState> told = new ArrayList<>();

  static final NodeEntry A = GossipSimulation.entry(1);
  static final NodeEntry B = GossipSimulation.entry(2);
  static final NodeEntry C = GossipSimulation.entry(3);

  Gossiper gossiper(NodeEntry self, ClusterState initial, List<String> seeds) {
    return new Gossiper(self, initial, 2, seeds, new Random(1),
        (to, m) -> sent.add(new Sent(to, null, m)),
        (address, m) -> sent.add(new Sent(null, address, m)),
        told::add);
  }

  @Test
  void aNodeThatKnowsNoMemberSendsItsEntryToSeeds() {
    Gossiper g = gossiper(A, ClusterState.EMPTY, List.of(A.peerAddress(), B.peerAddress()));
    g.round();
    assertThat(sent).hasSize(1);
    Sent s = sent.get(0);
    assertThat(s.address()).isEqualTo(B.peerAddress()); // never its own address
    GossipDelta delta = s.message().getGossipDelta();
    assertThat(ClusterStateCodec.fromProto(delta.getState()).nodes()).containsOnlyKeys(A.id());
    assertThat(delta.hasDigest()).isTrue();
  }

  @Test
  void pushPullLeavesBothSidesEqualInOneExchange() {
    RingState ring = RingState.initial(A.id(), 8, 3, BucketDefaults.DEFAULT);
    Gossiper a = gossiper(A, ClusterState.of(List.of(B), ring), List.of());
    Gossiper b = gossiper(B, ClusterState.of(List.of(C), RingState.NONE), List.of());
    a.round(); // a knows only b: digest to b
    deliver(a, b);
    assertThat(a.state()).isEqualTo(b.state());
    assertThat(a.state().nodes()).containsOnlyKeys(A.id(), B.id(), C.id());
    assertThat(b.state().ring()).isEqualTo(ring);
    assertThat(told).isNotEmpty();
    // Once equal, a digest draws no answer.
    sent.clear();
    a.round();
    deliver(a, b);
    assertThat(sent).isEmpty();
  }

  /** Delivers queued messages between two gossipers until none is left. */
  private void deliver(Gossiper a, Gossiper b) {
    while (!sent.isEmpty()) {
      Sent s = sent.remove(0);
      Gossiper to = s.to().equals(a.selfEntry().id()) ? a : b;
      NodeId from = to == a ? b.selfEntry().id() : a.selfEntry().id();
      to.onMessage(from, s.message());
    }
  }

  @Test
  void theListenerHearsOnlyOfChanges() {
    Gossiper g = gossiper(A, ClusterState.of(List.of(B), RingState.NONE), List.of());
    told.clear();
    g.merge(ClusterState.of(List.of(B), RingState.NONE));
    assertThat(told).isEmpty();
    RingState ring = RingState.initial(A.id(), 8, 3, BucketDefaults.DEFAULT);
    g.commitRing(ring);
    assertThat(told).hasSize(1);
    assertThat(told.get(0).ring()).isEqualTo(ring);
  }

  @Test
  void removedMembersAreNotGossipedWith() {
    RingState ring = RingState.initial(A.id(), 8, 3, BucketDefaults.DEFAULT)
        .edit().status(B.id(), MemberStatus.REMOVED).commit(A.id());
    Gossiper g = gossiper(A, ClusterState.of(List.of(B, C), ring), List.of());
    for (int i = 0; i < 10; i++) {
      g.round();
    }
    assertThat(sent).extracting(Sent::to).containsOnly(C.id());
  }

  @Test
  void aMalformedMessageIsRefusedAndChangesNothing() {
    Gossiper g = gossiper(A, ClusterState.of(List.of(B), RingState.NONE), List.of());
    ClusterState before = g.state();
    Envelope bad = Envelope.newBuilder().setGossipDelta(GossipDelta.newBuilder()
        .setState(ClusterStateProto.newBuilder()
            .addNodes(NodeEntryProto.newBuilder().setNodeId("c").setPeerAddress("no port")
                .setCapacity(1))))
        .build();
    assertThatThrownBy(() -> g.onMessage(B.id(), bad))
        .isInstanceOf(MalformedClusterStateException.class)
        .hasMessageContaining("host:port");
    Envelope badDigest = Envelope.newBuilder().setGossipDigest(GossipDigest.newBuilder()
        .addNodes(NodeDigestProto.newBuilder().setNodeId("")))
        .build();
    assertThatThrownBy(() -> g.onMessage(B.id(), badDigest))
        .isInstanceOf(MalformedClusterStateException.class);
    assertThat(g.state()).isSameAs(before);
    assertThat(g.onMessage(B.id(), Envelope.newBuilder()
        .setGetRequest(GetRequest.getDefaultInstance()).build())).isFalse();
  }

  @Test
  void aForgedEntryOfThisNodeIsOverwrittenByItsOwn() {
    Gossiper g = gossiper(A, ClusterState.EMPTY, List.of());
    NodeEntry forged = new NodeEntry(A.id(), "evil:1", "", 1, "", A.generation(), 7);
    g.merge(ClusterState.of(List.of(forged), RingState.NONE));
    NodeEntry held = g.state().node(A.id());
    assertThat(held.peerAddress()).isEqualTo(A.peerAddress());
    assertThat(held.version()).isEqualTo(8);
    assertThat(g.selfEntry()).isEqualTo(held);
  }

  @Test
  void aStoredEntryOfThisGenerationIsContinued() {
    NodeEntry stored = new NodeEntry(A.id(), A.peerAddress(), A.clientAddress(), 5, "", 1, 4);
    Gossiper g = gossiper(A, ClusterState.of(List.of(stored), RingState.NONE), List.of());
    assertThat(g.selfEntry().version()).isEqualTo(5);
    assertThat(g.selfEntry().capacity()).isEqualTo(A.capacity());
  }

  @Test
  void aLaterGenerationOfThisIdIsCountedNotFought() {
    Gossiper g = gossiper(A, ClusterState.EMPTY, List.of());
    NodeEntry other = new NodeEntry(A.id(), "10.1.1.1:7000", "", 1, "", A.generation() + 1, 0);
    g.merge(ClusterState.of(List.of(other), RingState.NONE));
    assertThat(g.foreignSelfEntries()).isEqualTo(1);
    assertThatThrownBy(() -> gossiper(A, g.state(), List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("generation");
  }

  @Test
  void aRingOfAnotherQOrAnotherFirstRingIsRefusedButEntriesStillSpread() {
    RingState ours = RingState.initial(A.id(), 8, 3, BucketDefaults.DEFAULT);
    Gossiper a = gossiper(A, ClusterState.of(List.of(B), ours), List.of());
    RingState otherQ = RingState.initial(A.id(), 16, 3, BucketDefaults.DEFAULT);
    assertThatThrownBy(() -> a.merge(ClusterState.of(List.of(C), otherQ)))
        .isInstanceOf(MalformedClusterStateException.class).hasMessageContaining("Q=16");
    assertThat(a.state().ring()).isEqualTo(ours);
    assertThat(a.state().nodes()).containsKey(C.id());
    RingState otherMembers = RingState.initial(B.id(), 8, 3, BucketDefaults.DEFAULT);
    assertThatThrownBy(() -> a.merge(ClusterState.of(List.of(), otherMembers)))
        .isInstanceOf(MalformedClusterStateException.class).hasMessageContaining("first ring");
    assertThat(a.state().ring()).isEqualTo(ours);
  }

  @Test
  void reassertingItsOwnEntryKeepsWhatTheNodeReports() {
    Gossiper a = gossiper(A, ClusterState.EMPTY, List.of());
    a.updateProgress(5, List.of());
    NodeEntry mine = a.selfEntry();
    // A forged entry of this node's generation, above its version.
    NodeEntry forged = new NodeEntry(A.id(), A.peerAddress(), A.clientAddress(), 1, "", A.generation(),
        mine.version() + 10);
    a.merge(ClusterState.of(List.of(forged), RingState.NONE));
    assertThat(a.selfEntry().ringApplied()).isEqualTo(5);
    assertThat(a.selfEntry().version()).isGreaterThan(forged.version());
    assertThat(a.state().node(A.id())).isEqualTo(a.selfEntry());
  }
}

package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.NodeStatus;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.view.ClusterView;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.PeerHello;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node follows its view, not its startup file: when a member leaves the view, the node stops
 * talking to it, refuses its hello and lists only the view's members in {@code status}, and keeps
 * serving; when the member is added again, the node connects to it and accepts its hello again.
 */
class ViewChangeIT {
  private static final long MANUAL_VERSION = 1L << 40;
  @TempDir Path dir;

  @Test
  void aNodeConnectsToAndAcceptsTheMembersOfItsCurrentView() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3, dir)) {
      DynamoServer n1 = cluster.node(0);
      DynamoServer n2 = cluster.node(1);
      NodeId leaving = NodeId.of(MiniCluster.id(2));
      ClusterView v1 = n1.view();
      ClusterView v2 = without(v1, leaving);

      assertThat(n1.changeView(v2)).isTrue();
      assertThat(n2.changeView(v2)).isTrue();
      assertThat(n1.changeView(v2)).isFalse(); // not newer: nothing changes
      assertThat(memberIds(cluster.client(0).status())).containsExactly("n1", "n2");

      String peerPort = "127.0.0.1:" + n1.peerAddress().getPort();
      try (RawConnection raw = new RawConnection(peerPort)) {
        raw.send(hello(leaving.value()));
        assertThat(raw.closedByPeer()).as("hello of a removed member").isTrue();
      }
      // The removed node, which still has the old view, no longer hears from n1: n1 dropped its
      // connection to it and stopped heartbeating it.
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !upAsSeenBy(cluster.client(2), "n1"));
      cluster.client(0).put("view", "k", Context.NONE, "v".getBytes(UTF_8));
      assertThat(cluster.client(1).get("view", "k").found()).isTrue();

      ClusterView v3 = new ClusterView(MANUAL_VERSION + 1, v1.ring(), v1.addresses());
      assertThat(n1.changeView(v3)).isTrue();
      assertThat(n2.changeView(v3)).isTrue();
      try (RawConnection raw = new RawConnection(peerPort)) {
        raw.send(hello(leaving.value()));
        assertThat(raw.quietlyOpenFor(500)).as("hello of a member added again").isTrue();
      }
      // n1 connects to the member again: its heartbeats reach it.
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> upAsSeenBy(cluster.client(2), "n1") && upAsSeenBy(cluster.client(0), "n3"));
      assertThat(memberIds(cluster.client(0).status())).containsExactly("n1", "n2", "n3");
    }
  }

  private static ClusterView without(ClusterView view, NodeId leaving) {
    List<Member> members =
        view.ring().members().values().stream().filter(m -> !m.id().equals(leaving)).toList();
    Map<NodeId, ClusterView.Addresses> addresses = new LinkedHashMap<>(view.addresses());
    addresses.remove(leaving);
    Ring ring = Ring.create(members, view.ring().partitions(), members.size());
    // Far above the versions the node's own membership gives its views, so that gossip arriving
    // during the test cannot replace these hand-made views.
    return new ClusterView(MANUAL_VERSION, ring, addresses);
  }

  private static List<String> memberIds(NodeStatus status) {
    return status.members().stream().map(NodeStatus.Member::nodeId).toList();
  }

  private static boolean upAsSeenBy(DynamoClient client, String node) {
    return client.status().members().stream().anyMatch(m -> m.nodeId().equals(node) && m.up());
  }

  private static Envelope hello(String nodeId) {
    return Envelope.newBuilder()
        .setProtocolVersion(1)
        .setPeerHello(PeerHello.newBuilder().setNodeId(nodeId).setIncarnation(1))
        .build();
  }
}

package io.dynamo.core.membership;

import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.cluster.MovePhase;
import io.dynamo.core.cluster.NodeEntry;
import io.dynamo.core.cluster.PendingMove;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.view.ClusterView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Derives the view a node serves from (ring, addresses, extra writers) from the cluster state. */
public final class ClusterViews {
  private ClusterViews() {}

  /**
   * The view of {@code state}'s ring as this node's view number {@code version}. Members are the
   * nodes that may own partitions (valid, leaving, down); addresses come from each node's own
   * entry, else from {@code fallback} (the startup file of a new cluster, until gossip brings the
   * entries). Writes of a partition also go to the target of a pending copy and, just after a
   * switch, to the old owner.
   */
  public static ClusterView of(
      ClusterState state, long version, Map<NodeId, ClusterView.Addresses> fallback) {
    RingState ring = state.ring();
    if (ring.isNone() || ring.table() == null) {
      throw new IllegalArgumentException("no ring to serve from yet");
    }
    List<Member> members = new ArrayList<>();
    ring.statuses().forEach((id, status) -> {
      if (status.mayOwn()) {
        NodeEntry e = state.node(id);
        members.add(e == null ? new Member(id, 1, "") : new Member(id, e.capacity(), e.zone()));
      }
    });
    Map<NodeId, ClusterView.Addresses> addresses = new LinkedHashMap<>();
    for (Member m : members) {
      addresses.put(m.id(), addressOf(state, m.id(), fallback));
    }
    // Every node with an entry stays reachable, removed ones included: a removed node still
    // running must hear that it was removed, through gossip it starts itself.
    for (NodeEntry e : state.nodes().values()) {
      addresses.putIfAbsent(e.id(), new ClusterView.Addresses(e.peerAddress(), e.clientAddress()));
    }
    Map<Integer, List<NodeId>> extra = new HashMap<>();
    for (PendingMove m : ring.moves()) {
      NodeId writer = m.phase() == MovePhase.PENDING ? m.move().to() : m.move().from();
      extra.computeIfAbsent(m.move().partition(), p -> new ArrayList<>()).add(writer);
    }
    return new ClusterView(version, Ring.of(members, ring.table()), addresses, extra, ring.defaults());
  }

  private static ClusterView.Addresses addressOf(
      ClusterState state, NodeId id, Map<NodeId, ClusterView.Addresses> fallback) {
    NodeEntry e = state.node(id);
    if (e != null) {
      return new ClusterView.Addresses(e.peerAddress(), e.clientAddress());
    }
    ClusterView.Addresses known = fallback.get(id);
    return known != null ? known : new ClusterView.Addresses("", "");
  }
}

package io.dynamo.server;

import io.dynamo.core.cluster.BucketDefaults;
import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.NodeEntry;
import io.dynamo.core.cluster.PartitionPlanner;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.node.BucketProperties;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.view.ClusterView;
import io.dynamo.server.config.MemberConfig;
import io.dynamo.server.config.NodeConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a node's cluster state starts (docs/decisions/0007): what it stored, else, for a node whose
 * file lists the members of a new cluster, the first ring every one of those members computes alike
 * from the same file, else nothing (a node that finds its cluster through its seeds).
 */
final class ClusterBootstrap {
  private ClusterBootstrap() {}

  /** The stored state, or the first ring of the file's members, or the empty state. */
  static ClusterState initial(NodeConfig config, ClusterState stored) {
    if (!stored.ring().isNone() || config.members().isEmpty()) {
      return stored;
    }
    return stored.with(firstRing(config));
  }

  /**
   * Version 1 of a new cluster: every listed member valid, the planner's balanced table, Q and
   * the bucket defaults of the file. Deterministic, so every member computes the same ring (same
   * content hash) and their states agree from the start.
   */
  static RingState firstRing(NodeConfig config) {
    List<Member> members = config.ringMembers();
    TreeMap<NodeId, MemberStatus> statuses = new TreeMap<>();
    for (Member m : members) {
      statuses.put(m.id(), MemberStatus.VALID);
    }
    int replicas = Math.min(largestN(config), members.size());
    BucketProperties d = config.defaultBucket();
    return new RingState(
        1, statuses.firstKey(), config.partitions(), replicas,
        statuses, PartitionPlanner.initial(members, config.partitions(), replicas), List.of(),
        new BucketDefaults(Math.min(d.n(), replicas), Math.min(d.r(), replicas), Math.min(d.w(), replicas),
            d.conflictMode()));
  }

  private static int largestN(NodeConfig config) {
    int n = config.defaultBucket().n();
    for (BucketProperties b : config.buckets().overrides().values()) {
      n = Math.max(n, b.n());
    }
    return n;
  }

  /** This start's own entry: a generation above every earlier start's (the wall clock). */
  static NodeEntry selfEntry(NodeConfig config, long generation) {
    MemberConfig me = config.self();
    return new NodeEntry(
        config.nodeId(), me.peer().toString(), me.client().toString(), me.capacity(), me.zone(),
        generation, 0, 0, List.of(), config.autoJoin());
  }

  /** The file's member addresses, used until gossip brings each member's own entry. */
  static Map<NodeId, ClusterView.Addresses> fileAddresses(NodeConfig config) {
    Map<NodeId, ClusterView.Addresses> addresses = new LinkedHashMap<>();
    for (MemberConfig m : config.members()) {
      addresses.put(m.id(), new ClusterView.Addresses(m.peer().toString(), m.client().toString()));
    }
    return addresses;
  }

  /**
   * The view of a node that has no ring yet: itself alone, version 0. It serves no data requests
   * until gossip brings the cluster's ring.
   */
  static ClusterView unjoined(NodeEntry self) {
    Ring ring = Ring.create(List.of(new Member(self.id(), self.capacity(), self.zone())), 1, 1);
    return new ClusterView(
        0, ring, Map.of(self.id(), new ClusterView.Addresses(self.peerAddress(), self.clientAddress())));
  }
}

package io.dynamo.core.antientropy;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.view.ClusterView;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/** Who may take part in anti-entropy for a partition, under a view: pure questions of the ring. */
final class PartitionRoles {
  private final NodeId self;
  /** The largest N of any bucket under a view: replicas past the ring's owners hold data too. */
  private final ToIntFunction<ClusterView> maxReplicas;

  PartitionRoles(NodeId self, ToIntFunction<ClusterView> maxReplicas) {
    this.self = self;
    this.maxReplicas = maxReplicas;
  }

  NodeId self() {
    return self;
  }

  /** The partitions this node owns in {@code view}, in order. */
  List<Integer> owned(ClusterView view) {
    List<Integer> out = new ArrayList<>();
    if (!view.isMember(self)) {
      return out;
    }
    for (int p = 0; p < view.ring().partitions(); p++) {
      if (view.ring().table().owners(p).contains(self)) {
        out.add(p);
      }
    }
    return out;
  }

  /** The partition's owners other than this node. */
  List<NodeId> otherOwners(ClusterView view, int partition) {
    List<NodeId> out = new ArrayList<>(view.ring().table().owners(partition));
    out.remove(self);
    return out;
  }

  /** Whether this node is the partition's first owner (it collects the partition's tombstones). */
  boolean firstOwner(ClusterView view, int partition, NodeId node) {
    return partition >= 0 && partition < view.ring().partitions()
        && view.ring().table().owners(partition).get(0).equals(node);
  }

  /**
   * Every node that holds replicas of {@code partition} for some bucket: the ring's owners, then,
   * when a bucket's N is larger, the next nodes of the extended preference list. Copy cleanup and
   * tombstone collection treat all of them as owners (exchanges cover the ring's owners only).
   */
  List<NodeId> holders(ClusterView view, int partition) {
    if (partition < 0 || partition >= view.ring().partitions()) {
      return List.of();
    }
    int n = Math.max(view.ring().table().replicas(), maxReplicas.applyAsInt(view));
    return view.ring().preferenceList(partition, n);
  }

  static boolean isOwner(ClusterView view, int partition, NodeId node) {
    return partition >= 0 && partition < view.ring().partitions()
        && view.ring().table().owners(partition).contains(node);
  }

  static boolean movingIn(ClusterView view, int partition) {
    return !view.extraWriters(partition).isEmpty();
  }

  /**
   * Whether {@code owner} holds replicas of {@code partition}, it is not being moved, and {@code
   * other} is another node: then {@code owner} compares key digests with {@code other} and takes
   * its records (an owner, or a node handing over a copy it does not own).
   */
  boolean servable(ClusterView view, int partition, NodeId owner, NodeId other) {
    return !other.equals(owner) && holders(view, partition).contains(owner)
        && !movingIn(view, partition);
  }

  /** Whether this node and {@code peer} both own {@code partition}, and it is not being moved. */
  boolean exchangeable(ClusterView view, int partition, NodeId peer) {
    return !peer.equals(self) && isOwner(view, partition, self) && isOwner(view, partition, peer)
        && !movingIn(view, partition);
  }

  static boolean inPartition(byte[] key, int partition) {
    return key.length > 5 && PartitionTrees.partitionOf(key) == partition;
  }
}

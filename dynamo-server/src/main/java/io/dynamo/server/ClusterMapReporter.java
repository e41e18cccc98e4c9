package io.dynamo.server;

import io.dynamo.core.node.BucketProperties;
import io.dynamo.core.node.BucketTable;
import io.dynamo.core.node.NodeProtocol;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.view.ClusterView;
import io.dynamo.proto.v1.BucketReplication;
import io.dynamo.proto.v1.ClusterMapMember;
import io.dynamo.proto.v1.ClusterMapPartition;
import io.dynamo.proto.v1.ClusterMapResponse;
import io.dynamo.proto.v1.Envelope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Answers a partition-aware client's request for the cluster map: who the members are, where they
 * listen, and each partition's owners in preference order, from the same view this node's
 * coordinators use, so a client that routes by it picks nodes that agree they are replicas.
 */
final class ClusterMapReporter {
  private final NodeProtocol protocol;
  private final BucketTable buckets;
  private final LongSupplier ringVersion;

  ClusterMapReporter(NodeProtocol protocol, BucketTable buckets, LongSupplier ringVersion) {
    this.protocol = protocol;
    this.buckets = buckets;
    this.ringVersion = ringVersion;
  }

  /** Call on the protocol thread (it reads the failure detector). */
  Envelope map(long requestId) {
    ClusterView view = protocol.view();
    Ring ring = view.ring();
    ClusterMapResponse.Builder b =
        ClusterMapResponse.newBuilder()
            .setRingVersion(view.version() == 0 ? 0 : ringVersion.getAsLong())
            .setPartitions(ring.partitions());
    BucketProperties defaults = buckets.defaultsUnder(view.bucketDefaults());
    b.setDefaultN(defaults.n());
    for (Map.Entry<String, BucketProperties> e : buckets.overrides().entrySet()) {
      b.addBuckets(BucketReplication.newBuilder().setBucket(e.getKey()).setN(e.getValue().n()));
    }
    if (view.version() == 0 || ring.members().isEmpty()) {
      return Replies.envelope(requestId).setClusterMapResponse(b).build();
    }
    Map<NodeId, Integer> index = new HashMap<>();
    for (NodeId id : ring.members().keySet()) {
      index.put(id, index.size());
      b.addMembers(
          ClusterMapMember.newBuilder()
              .setNodeId(id.value())
              .setClientAddress(view.clientAddress(id))
              .setUp(protocol.isUp(id)));
    }
    int n = buckets.maxN(view.bucketDefaults());
    for (int p = 0; p < ring.partitions(); p++) {
      ClusterMapPartition.Builder owners = ClusterMapPartition.newBuilder();
      List<NodeId> list = ring.preferenceList(p, n);
      for (NodeId owner : list) {
        owners.addOwners(index.get(owner));
      }
      b.addOwners(owners);
    }
    return Replies.envelope(requestId).setClusterMapResponse(b).build();
  }
}

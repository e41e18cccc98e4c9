package io.dynamo.server.metrics;

import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.monitor.PeerView;
import io.dynamo.core.transfer.TransferProgress;
import io.dynamo.core.transfer.TransferService;
import io.dynamo.proto.v1.RepairStatusResponse;
import java.util.List;

/**
 * What shard 0 of a node knows that metrics show, taken on shard 0's thread in one hop (its
 * services keep no locks, so they are read nowhere else).
 *
 * @param peers each peer as the failure detector sees it
 * @param repair anti-entropy's status; null when the node runs none
 * @param transfers node-wide partition transfer counts
 * @param incoming incoming transfers as they stand
 * @param cluster the cluster state gossip has brought (members and their status)
 */
public record ProtocolSnapshot(
    List<PeerView> peers,
    RepairStatusResponse repair,
    TransferService.Stats transfers,
    List<TransferProgress> incoming,
    ClusterState cluster) {
  public ProtocolSnapshot {
    peers = List.copyOf(peers);
    incoming = List.copyOf(incoming);
  }
}

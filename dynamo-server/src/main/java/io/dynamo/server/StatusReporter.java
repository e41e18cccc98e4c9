package io.dynamo.server;

import io.dynamo.core.node.NodeProtocol;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.view.ClusterView;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.MemberStatus;
import io.dynamo.proto.v1.StatusResponse;
import io.dynamo.server.config.NodeConfig;
import java.util.function.LongSupplier;

/** Answers status requests: who this node is and the ring as it sees it. */
final class StatusReporter {
  static final String VERSION =
      StatusReporter.class.getPackage().getImplementationVersion() == null
          ? "dev"
          : StatusReporter.class.getPackage().getImplementationVersion();

  private final NodeConfig config;
  private final NodeProtocol protocol;
  private final LocalReplica replica;
  private final LongSupplier uptimeMillis;

  StatusReporter(
      NodeConfig config,
      NodeProtocol protocol,
      LocalReplica replica,
      LongSupplier uptimeMillis,
      java.util.function.Function<io.dynamo.core.ring.NodeId, String> states) {
    this.states = states;
    this.replica = replica;
    this.config = config;
    this.protocol = protocol;
    this.uptimeMillis = uptimeMillis;
  }

  /** Each member's membership state, as the cluster state says; read on shard 0's thread. */
  private final java.util.function.Function<io.dynamo.core.ring.NodeId, String> states;

  /** Call on the protocol thread. */
  Envelope status(long requestId) {
    ClusterView view = protocol.view();
    Ring ring = view.ring();
    // A bucket without its own settings gets the cluster's (docs/membership.md).
    io.dynamo.core.node.BucketProperties defaults =
        config.buckets().defaultsUnder(view.bucketDefaults());
    StatusResponse.Builder b =
        StatusResponse.newBuilder()
            .setNodeId(config.nodeId().value())
            .setVersion(VERSION)
            .setPartitions(ring.partitions())
            .setDefaultN(defaults.n())
            .setDefaultR(defaults.r())
            .setDefaultW(defaults.w())
            .setUptimeMillis(uptimeMillis.getAsLong());
    LocalReplica.StorageFailures failures = replica.failures();
    b.setStorageFailures(failures.count()).setLastStorageError(failures.last());
    // The members of the view this node follows, which may have changed since it started.
    for (Member m : ring.members().values()) {
      b.addMembers(
          MemberStatus.newBuilder()
              .setNodeId(m.id().value())
              .setClientAddress(view.clientAddress(m.id()))
              .setPeerAddress(view.peerAddress(m.id()))
              .setCapacity(m.capacity())
              .setZone(m.zone())
              .setPartitionsOwned(ring.partitionsOwnedBy(m.id()))
              .setCopies(ring.copiesOwnedBy(m.id()))
              .setState(states.apply(m.id()))
              .setUp(protocol.isUp(m.id()))
              .setPhi(protocol.phi(m.id())));
    }
    return Replies.envelope(requestId).setStatusResponse(b).build();
  }
}

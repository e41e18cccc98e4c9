package io.dynamo.server;

import io.dynamo.core.node.NodeProtocol;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.MemberStatus;
import io.dynamo.proto.v1.StatusResponse;
import io.dynamo.server.config.MemberConfig;
import io.dynamo.server.config.NodeConfig;
import java.util.function.LongSupplier;

/** Answers status requests: who this node is and the ring as it sees it. */
final class StatusReporter {
  static final String VERSION =
      StatusReporter.class.getPackage().getImplementationVersion() == null
          ? "dev"
          : StatusReporter.class.getPackage().getImplementationVersion();

  private final NodeConfig config;
  private final Ring ring;
  private final NodeProtocol protocol;
  private final LocalReplica replica;
  private final LongSupplier uptimeMillis;

  StatusReporter(
      NodeConfig config, Ring ring, NodeProtocol protocol, LocalReplica replica, LongSupplier uptimeMillis) {
    this.replica = replica;
    this.config = config;
    this.ring = ring;
    this.protocol = protocol;
    this.uptimeMillis = uptimeMillis;
  }

  /** Call on the protocol thread. */
  Envelope status(long requestId) {
    StatusResponse.Builder b =
        StatusResponse.newBuilder()
            .setNodeId(config.nodeId().value())
            .setVersion(VERSION)
            .setPartitions(ring.partitions())
            .setDefaultN(config.defaultBucket().n())
            .setDefaultR(config.defaultBucket().r())
            .setDefaultW(config.defaultBucket().w())
            .setUptimeMillis(uptimeMillis.getAsLong());
    LocalReplica.StorageFailures failures = replica.failures();
    b.setStorageFailures(failures.count()).setLastStorageError(failures.last());
    for (MemberConfig m : config.members()) {
      b.addMembers(
          MemberStatus.newBuilder()
              .setNodeId(m.id().value())
              .setClientAddress(m.client().toString())
              .setPeerAddress(m.peer().toString())
              .setCapacity(m.capacity())
              .setZone(m.zone())
              .setPartitionsOwned(ring.partitionsOwnedBy(m.id()))
              .setUp(protocol.isUp(m.id()))
              .setPhi(protocol.phi(m.id())));
    }
    return Replies.envelope(requestId).setStatusResponse(b).build();
  }
}

package io.dynamo.server.dashboard;

import com.sun.net.httpserver.HttpServer;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.storage.LocalReplica.HintQueueStats;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.MemberLoad;
import io.dynamo.proto.v1.MemberStatus;
import io.dynamo.proto.v1.PartitionOwners;
import io.dynamo.proto.v1.PartitionRepairStatus;
import io.dynamo.proto.v1.PlannedMove;
import io.dynamo.proto.v1.RepairStatusResponse;
import io.dynamo.proto.v1.RingResponse;
import io.dynamo.proto.v1.StatusCode;
import io.dynamo.proto.v1.StatusResponse;
import io.dynamo.proto.v1.TransferProgress;
import io.dynamo.proto.v1.TransfersResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A dashboard served from a JDK HTTP server, over canned admin answers instead of a node: a
 * member whose id is markup, a pending move, a transfer and a hint queue, so a test sees every
 * part of the page without building a cluster in that state.
 */
final class FakeNode implements AutoCloseable {
  static final String SELF = "n1";
  /** A legal node id (any 1 to 128 characters) that would run script if put into the page as markup. */
  static final String HOSTILE = "<img id=\"pwned\" src=x onerror=\"window.pwned=1\">&amp;'\"";
  static final long NOW = 1_700_000_000_000L;

  final HttpServer server;
  final DashboardEndpoint dashboard;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** {@code withAntiEntropy} false answers repair-status with an error, as a node without it does. */
  FakeNode(boolean withAntiEntropy) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    Clock clock = () -> NOW;
    dashboard = new DashboardEndpoint(
        request -> CompletableFuture.completedFuture(answer(request, withAntiEntropy)),
        () -> Map.of(NodeId.of(HOSTILE), new HintQueueStats(12, NOW - 90_000)),
        registry, clock, Duration.ofSeconds(1));
    dashboard.register(server::createContext);
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static Envelope answer(Envelope request, boolean withAntiEntropy) {
    Envelope.Builder b = Replies.envelope(request.getRequestId());
    switch (request.getBodyCase()) {
      case STATUS_REQUEST -> b.setStatusResponse(status());
      case RING_REQUEST -> b.setRingResponse(ring());
      case TRANSFERS_REQUEST -> b.setTransfersResponse(TransfersResponse.newBuilder()
          .addTransfers(TransferProgress.newBuilder().setPartition(3).setFrom(HOSTILE).setTo(SELF)
              .setState("copying").setBytesDone(512 << 10).setBytesTotal(2 << 20).setKeysDone(1200)
              .setBytesPerSecond(300_000)));
      case REPAIR_STATUS_REQUEST -> {
        if (!withAntiEntropy) {
          return Replies.error(request.getRequestId(), StatusCode.INVALID_ARGUMENT, "no anti-entropy");
        }
        b.setRepairStatusResponse(RepairStatusResponse.newBuilder()
            .addPartitions(PartitionRepairStatus.newBuilder().setPartition(0).setOwned(true)
                .setTreeReady(true).setMillisSinceFullExchange(4_000).setExchanges(3)
                .setKeysCompared(100).setKeysRepaired(2))
            .addPartitions(PartitionRepairStatus.newBuilder().setPartition(1).setOwned(true)
                .setMillisSinceFullExchange(-1))
            .addPartitions(PartitionRepairStatus.newBuilder().setPartition(2).setOwned(false)
                .setKeysRepaired(50)));
      }
      default -> throw new AssertionError("the dashboard asked " + request.getBodyCase());
    }
    return b.build();
  }

  private static StatusResponse status() {
    return StatusResponse.newBuilder().setNodeId(SELF).setVersion("test").setPartitions(8)
        .setDefaultN(2).setDefaultR(1).setDefaultW(1).setUptimeMillis(3_600_000)
        .addMembers(member(SELF, true, 0, "valid"))
        .addMembers(member(HOSTILE, false, 12.5, "leaving"))
        .build();
  }

  private static MemberStatus member(String id, boolean up, double phi, String state) {
    return MemberStatus.newBuilder().setNodeId(id).setUp(up).setPhi(phi).setState(state)
        .setCapacity(1).setPartitionsOwned(4).setCopies(8).setClientAddress("127.0.0.1:1").build();
  }

  private static RingResponse ring() {
    RingResponse.Builder b = RingResponse.newBuilder().setRingVersion(7).setClaimant(SELF).setReplicas(2);
    for (int p = 0; p < 8; p++) {
      List<String> owners = p % 2 == 0 ? List.of(SELF, HOSTILE) : List.of(HOSTILE, SELF);
      PartitionOwners.Builder o = PartitionOwners.newBuilder().setPartition(p).addAllOwners(owners);
      if (p == 3) {
        o.addPending("n9");
      }
      b.addPartitions(o);
    }
    b.addPendingMoves(PlannedMove.newBuilder().setPartition(3).setFrom(HOSTILE).setTo("n9"));
    b.addMembers(MemberLoad.newBuilder().setNodeId(SELF).setShareOfFair(1.0));
    return b.build();
  }

  @Override
  public void close() {
    dashboard.close();
    server.stop(0);
  }
}

package io.dynamo.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dynamo.core.monitor.PeerView;
import io.dynamo.core.node.NodeProtocol;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.server.config.HostPort;
import io.dynamo.server.transport.Admission;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the failure path's state in the Prometheus text format at {@code /metrics}: each peer's
 * state and phi as this node's failure detector sees them, how often it changed, and the hints
 * this node holds per target. A small JDK HTTP server on its own thread, so a scrape never touches
 * the Netty event loops; the peer view is read on the protocol thread.
 */
final class MetricsEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

  private final HttpServer server;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "metrics");
        t.setDaemon(true);
        return t;
      });
  private final NodeId self;
  private final NodeProtocol protocol;
  private final java.util.concurrent.Executor protocolThread;
  private final LocalReplica replica;
  private final Admission admission;
  private final NodeGauges gauges;
  private final LongSupplier wallClock;
  /** The node's meters (the dashboard reads the dynamo.requests timers from it). */
  private final io.micrometer.core.instrument.MeterRegistry registry =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  /** Node-wide figures summed over shards and connections, read at each scrape. */
  record NodeGauges(
      LongSupplier missedAckHints,
      LongSupplier keysPastWarning,
      LongSupplier peerMessagesDropped,
      LongSupplier clientPendingFrameBytes,
      LongSupplier peerPendingFrameBytes) {}

  MetricsEndpoint(
      HostPort address,
      NodeId self,
      NodeProtocol protocol,
      java.util.concurrent.Executor protocolThread,
      LocalReplica replica,
      Admission admission,
      NodeGauges gauges,
      LongSupplier wallClock)
      throws IOException {
    this.admission = admission;
    this.gauges = gauges;
    this.self = self;
    this.protocol = protocol;
    this.protocolThread = protocolThread;
    this.replica = replica;
    this.wallClock = wallClock;
    this.server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
    server.createContext("/metrics", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  /** Serves {@code path} (and what lies under it) from this listener too. */
  void handle(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body;
    int status = 200;
    try {
      body = render().getBytes(StandardCharsets.UTF_8);
    } catch (Exception e) {
      log.warn("metrics scrape failed: {}", e.toString());
      body = ("# scrape failed: " + e + "\n").getBytes(StandardCharsets.UTF_8);
      status = 500;
    }
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  String render() throws Exception {
    CompletableFuture<List<PeerView>> views = new CompletableFuture<>();
    protocolThread.execute(() -> views.complete(protocol.peerViews()));
    List<PeerView> peers = views.get(5, TimeUnit.SECONDS);
    CompletableFuture<io.dynamo.proto.v1.RepairStatusResponse> repairs = new CompletableFuture<>();
    protocolThread.execute(() -> repairs.complete(
        protocol.antiEntropy() == null ? null : protocol.antiEntropy().status()));
    io.dynamo.proto.v1.RepairStatusResponse repair = repairs.get(5, TimeUnit.SECONDS);
    Map<NodeId, LocalReplica.HintQueueStats> hints = replica.hintQueues();
    long now = wallClock.getAsLong();

    StringBuilder out = new StringBuilder();
    String node = "node=\"" + self.value() + "\"";
    header(out, "dynamo_peer_up", "gauge", "1 if this node's failure detector believes the peer is up");
    for (PeerView p : peers) {
      line(out, "dynamo_peer_up", node + ",peer=\"" + p.peer().value() + "\"", p.up() ? 1 : 0);
    }
    header(out, "dynamo_peer_phi", "gauge", "phi-accrual suspicion of the peer");
    for (PeerView p : peers) {
      line(out, "dynamo_peer_phi", node + ",peer=\"" + p.peer().value() + "\"", p.phi());
    }
    header(out, "dynamo_peer_state_changes_total", "counter",
        "times the peer was seen to go down or come back up");
    for (PeerView p : peers) {
      line(out, "dynamo_peer_state_changes_total", node + ",peer=\"" + p.peer().value() + "\"",
          p.transitions());
    }
    header(out, "dynamo_hints_pending", "gauge", "hints this node holds for the target node");
    header(out, "dynamo_hints_oldest_age_seconds", "gauge", "age of the oldest such hint");
    for (PeerView p : peers) {
      LocalReplica.HintQueueStats q = hints.get(p.peer());
      String labels = node + ",target=\"" + p.peer().value() + "\"";
      line(out, "dynamo_hints_pending", labels, q == null ? 0 : q.count());
      line(out, "dynamo_hints_oldest_age_seconds", labels,
          q == null ? 0 : Math.max(0, now - q.oldestCreatedAtMillis()) / 1000.0);
    }
    if (repair != null) {
      antiEntropy(out, node, repair);
    }
    header(out, "dynamo_missed_ack_hints_total", "counter",
        "hints kept for replicas believed up that did not acknowledge a write in time");
    line(out, "dynamo_missed_ack_hints_total", node, gauges.missedAckHints().getAsLong());
    header(out, "dynamo_keys_past_warning_total", "counter",
        "writes that left a key past its bucket's sibling or record-size warn level");
    line(out, "dynamo_keys_past_warning_total", node, gauges.keysPastWarning().getAsLong());
    header(out, "dynamo_peer_messages_dropped_total", "counter",
        "messages to peers dropped because the peer was not keeping up");
    line(out, "dynamo_peer_messages_dropped_total", node, gauges.peerMessagesDropped().getAsLong());
    header(out, "dynamo_pending_frame_bytes", "gauge",
        "bytes held in incomplete frames, by budget (network.max-pending-frame-bytes each)");
    line(out, "dynamo_pending_frame_bytes", node + ",budget=\"client\"",
        gauges.clientPendingFrameBytes().getAsLong());
    line(out, "dynamo_pending_frame_bytes", node + ",budget=\"peer\"",
        gauges.peerPendingFrameBytes().getAsLong());
    header(out, "dynamo_storage_failures_total", "counter",
        "local storage operations that failed (reads, writes, hints)");
    line(out, "dynamo_storage_failures_total", node, replica.failures().count());
    header(out, "dynamo_client_requests_in_flight", "gauge",
        "client requests admitted and not yet answered");
    line(out, "dynamo_client_requests_in_flight", node, admission.inFlight());
    header(out, "dynamo_client_request_bytes_in_flight", "gauge",
        "encoded bytes of the client requests in flight");
    line(out, "dynamo_client_request_bytes_in_flight", node, admission.bytesInFlight());
    header(out, "dynamo_client_requests_admitted_total", "counter", "client requests admitted");
    line(out, "dynamo_client_requests_admitted_total", node, admission.admitted());
    header(out, "dynamo_client_requests_shed_total", "counter",
        "client requests refused with OVERLOADED, by the limit they met");
    for (Admission.Refusal r : Admission.Refusal.values()) {
      line(out, "dynamo_client_requests_shed_total",
          node + ",reason=\"" + r.name().toLowerCase(Locale.ROOT) + "\"", admission.refused(r));
    }
    return out.toString();
  }

  /** Per owned partition: anti-entropy's progress and what it found (docs/anti-entropy.md). */
  private static void antiEntropy(
      StringBuilder out, String node, io.dynamo.proto.v1.RepairStatusResponse repair) {
    header(out, "dynamo_ae_pending_repairs", "gauge", "on-demand exchanges queued or running");
    line(out, "dynamo_ae_pending_repairs", node, repair.getPending());
    header(out, "dynamo_ae_answer_bytes_total", "counter",
        "bytes sent answering other owners' exchanges");
    line(out, "dynamo_ae_answer_bytes_total", node, repair.getAnswerBytesSent());
    header(out, "dynamo_ae_trees_found_wrong_total", "counter",
        "hash trees found not matching their partition's data, and rebuilt");
    line(out, "dynamo_ae_trees_found_wrong_total", node, repair.getTreesFoundWrong());
    header(out, "dynamo_ae_keys_removed_not_owned_total", "counter",
        "keys of partitions this node does not own, deleted once every owner held them");
    line(out, "dynamo_ae_keys_removed_not_owned_total", node, repair.getKeysRemovedNotOwned());
    header(out, "dynamo_ae_partitions_held_not_owned", "gauge",
        "partitions this node holds data of without owning them, to hand over and remove");
    line(out, "dynamo_ae_partitions_held_not_owned", node, repair.getPartitionsHeldNotOwned());
    String[][] series = {
      {"dynamo_ae_seconds_since_full_exchange", "gauge",
          "seconds since the partition was last exchanged with every other owner (-1: never)"},
      {"dynamo_ae_exchanges_total", "counter", "exchanges of the partition this node started"},
      {"dynamo_ae_keys_compared_total", "counter", "keys whose digests exchanges compared"},
      {"dynamo_ae_keys_repaired_total", "counter", "keys found different and sent or fetched"},
      {"dynamo_ae_bytes_sent_total", "counter", "bytes this node's exchanges sent"},
      {"dynamo_ae_tree_rebuilds_total", "counter", "times the partition's hash tree was built"},
      {"dynamo_ae_tree_ready", "gauge", "1 when the partition's hash tree is built"},
      {"dynamo_ae_tombstones_purged_total", "counter", "tombstones of the partition purged here"},
    };
    for (String[] s : series) {
      header(out, s[0], s[1], s[2]);
      for (io.dynamo.proto.v1.PartitionRepairStatus p : repair.getPartitionsList()) {
        if (!p.getOwned()) {
          continue;
        }
        String labels = node + ",partition=\"" + p.getPartition() + "\"";
        double v = switch (s[0]) {
          case "dynamo_ae_seconds_since_full_exchange" ->
              p.getMillisSinceFullExchange() < 0 ? -1 : p.getMillisSinceFullExchange() / 1000.0;
          case "dynamo_ae_exchanges_total" -> p.getExchanges();
          case "dynamo_ae_keys_compared_total" -> p.getKeysCompared();
          case "dynamo_ae_keys_repaired_total" -> p.getKeysRepaired();
          case "dynamo_ae_bytes_sent_total" -> p.getBytesSent();
          case "dynamo_ae_tree_rebuilds_total" -> p.getTreeRebuilds();
          case "dynamo_ae_tombstones_purged_total" -> p.getTombstonesPurged();
          default -> p.getTreeReady() ? 1 : 0;
        };
        line(out, s[0], labels, v);
      }
    }
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void line(StringBuilder out, String name, String labels, double value) {
    out.append(name).append('{').append(labels).append("} ");
    if (Double.isInfinite(value)) {
      out.append(value > 0 ? "+Inf" : "-Inf");
    } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      out.append((long) value);
    } else {
      out.append(String.format(Locale.ROOT, "%.3f", value));
    }
    out.append('\n');
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

package io.dynamo.server.metrics;

import com.sun.net.httpserver.HttpHandler;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.server.config.HostPort;
import io.dynamo.server.storage.RocksDbStorageEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A node's metrics (docs/metrics.md): one Micrometer registry, Prometheus-backed, with the tag
 * {@code node} on every meter. The registry exists whether or not {@code listen.metrics} is set,
 * so request timers and counters are always kept and readable in-process ({@link #registry()});
 * {@link #serve} adds the HTTP listener, where {@code /metrics} is scraped and others may
 * {@link #handle} paths of their own.
 *
 * <p>Meters read from shard 0's services are set from a snapshot taken on its thread: at each
 * scrape, and every {@link #REFRESH} so in-process readers see current values too.
 */
public final class NodeMetrics implements AutoCloseable {
  /** How often shard 0's figures are refreshed between scrapes. */
  static final Duration REFRESH = Duration.ofSeconds(10);

  private final PrometheusMeterRegistry registry;
  private final RequestTimers requests;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "metrics-refresh");
            t.setDaemon(true);
            return t;
          });
  private volatile NodeSources sources;
  private volatile ProtocolMeters protocol;
  private volatile MetricsHttpServer http;

  /**
   * @param taggedBuckets buckets whose requests are timed under their own name; every other
   *     bucket's are tagged {@value RequestTimers#UNKNOWN_BUCKET}
   */
  public NodeMetrics(NodeId self, Set<String> taggedBuckets) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", self.value());
    this.requests = new RequestTimers(registry, taggedBuckets);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** The registry every meter of the node is in; safe to read from any thread. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Times client requests; install it on the client listener. */
  public RequestTimers requests() {
    return requests;
  }

  /** Registers the node's own counters and gauges. Call once. */
  public void bindNode(NodeSources sources) {
    this.sources = sources; // kept: the meters hold it weakly
    NodeMeters.bind(registry, sources);
  }

  /** Registers RocksDB's statistics and properties. Call once. */
  public void bindStorage(RocksDbStorageEngine storage) {
    RocksDbMeters.bind(registry, storage);
  }

  /**
   * Registers the meters taken from shard 0 and starts refreshing them. Call once.
   *
   * @param protocolThread runs a task on shard 0's thread
   * @param snapshot takes shard 0's figures; run on {@code protocolThread}
   */
  public void bindProtocol(
      Executor protocolThread, Supplier<ProtocolSnapshot> snapshot, LocalReplica replica,
      LongSupplier wallClock) {
    ProtocolMeters meters =
        new ProtocolMeters(registry, protocolThread, snapshot, replica, wallClock);
    this.protocol = meters;
    refresher.scheduleWithFixedDelay(
        meters::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts the HTTP listener on {@code address}, serving {@code /metrics}. */
  public void serve(HostPort address) throws IOException {
    if (http != null) {
      throw new IllegalStateException("already serving on " + http.address());
    }
    http = new MetricsHttpServer(address, this::scrape);
  }

  /** Where the HTTP listener is bound, or null when there is none. */
  public InetSocketAddress address() {
    MetricsHttpServer h = http;
    return h == null ? null : h.address();
  }

  /**
   * Serves {@code path} on the node's HTTP listener (beside {@code /metrics}) with {@code handler},
   * which runs on the listener's own threads. Throws {@link IllegalStateException} when the node
   * has no listener ({@code listen.metrics} unset).
   */
  public void handle(String path, HttpHandler handler) {
    MetricsHttpServer h = http;
    if (h == null) {
      throw new IllegalStateException("no HTTP listener: set listen.metrics");
    }
    h.handle(path, handler);
  }

  /** The Prometheus text of every meter, shard 0's figures refreshed first. */
  public String scrape() {
    ProtocolMeters p = protocol;
    if (p != null) {
      p.refresh();
    }
    return registry.scrape();
  }

  /** Stops the listener and the refreshes; the registry stays readable. */
  @Override
  public void close() {
    MetricsHttpServer h = http;
    if (h != null) {
      h.close();
    }
    refresher.shutdownNow();
    gc.close();
  }
}

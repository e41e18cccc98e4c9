package io.dynamo.server.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.storage.LocalReplica.HintQueueStats;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.RepairStatusRequest;
import io.dynamo.proto.v1.RingRequest;
import io.dynamo.proto.v1.StatusRequest;
import io.dynamo.proto.v1.TransfersRequest;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster dashboard on the node's metrics listener (docs/dashboard.md): a static page at
 * {@code /} and {@code /dashboard}, which polls {@code /api/dashboard}, this node's view as JSON.
 * Read-only: it asks the node the same status, ring, transfers and repair-status requests an
 * operator's CLI asks, so the page shows exactly what {@code dynamo status} and friends show.
 * Samples the request timers into a {@link RequestHistory} on a thread of its own.
 */
public final class DashboardEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DashboardEndpoint.class);
  /** Samples kept: ten minutes at the default interval. */
  static final int SAMPLES = 120;
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  private static final long ANSWER_TIMEOUT_MILLIS = 5_000;
  private static final String RESOURCES = "/io/dynamo/server/dashboard/";
  /** The page's own files only: scripts, styles and requests to this origin, nothing inline. */
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /**
   * Asks this node a request through the path clients' requests take, answered once; the
   * dashboard sends status, ring, transfers and repair-status requests only.
   */
  @FunctionalInterface
  public interface AdminRequests {
    CompletableFuture<Envelope> ask(Envelope request);
  }

  private record Asset(byte[] body, String contentType) {}

  private final AdminRequests admin;
  private final Supplier<Map<NodeId, HintQueueStats>> hints;
  private final Clock clock;
  private final RequestHistory history;
  private final long intervalSeconds;
  private final Map<String, Asset> assets;
  private final AtomicLong requestIds = new AtomicLong();
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dashboard-sampler");
        t.setDaemon(true);
        return t;
      });

  /**
   * Starts sampling {@code registry}'s request timers every {@code interval}; call {@link
   * #register} to serve the page.
   */
  public DashboardEndpoint(
      AdminRequests admin,
      Supplier<Map<NodeId, HintQueueStats>> hints,
      MeterRegistry registry,
      Clock clock,
      Duration interval) {
    if (interval.toSeconds() < 1) {
      throw new IllegalArgumentException("dashboard sampling interval must be at least 1 s, not " + interval);
    }
    this.admin = admin;
    this.hints = hints;
    this.clock = clock;
    this.intervalSeconds = interval.toSeconds();
    this.history = new RequestHistory(registry, clock, SAMPLES);
    Asset page = asset("index.html", "text/html; charset=utf-8");
    this.assets = Map.of(
        "/", page,
        "/dashboard", page,
        "/dashboard/", page,
        "/dashboard/dashboard.js", asset("dashboard.js", "text/javascript; charset=utf-8"),
        "/dashboard/dashboard.css", asset("dashboard.css", "text/css; charset=utf-8"));
    sampler.scheduleAtFixedRate(this::sample, 0, intervalSeconds, TimeUnit.SECONDS);
  }

  /** Adds the page and its API to an HTTP server, through its {@code handle(path, handler)}. */
  public void register(BiConsumer<String, HttpHandler> handle) {
    // "/" is the server's fallback context: it answers the page's files and 404 for the rest.
    handle.accept("/", this::serveAsset);
    handle.accept("/api/dashboard", this::serveJson);
  }

  /** The request history sampled so far, for tests. */
  RequestHistory history() {
    return history;
  }

  private void sample() {
    try {
      history.sample();
    } catch (RuntimeException e) {
      // A failed sample leaves a gap in the chart; an escaped exception would stop the schedule.
      log.warn("sampling request timers failed: {}", e.toString());
    }
  }

  private void serveAsset(HttpExchange exchange) throws IOException {
    Asset a = assets.get(exchange.getRequestURI().getPath());
    if (a == null) {
      respond(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
    } else {
      respond(exchange, 200, a.contentType(), a.body());
    }
  }

  private void serveJson(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestURI().getPath().equals("/api/dashboard")) {
      respond(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    byte[] body;
    int status = 200;
    try {
      body = json().getBytes(StandardCharsets.UTF_8);
    } catch (Exception e) {
      log.warn("dashboard state failed: {}", e.toString());
      body = new JsonWriter().beginObject().field("error", e.toString()).endObject().toString()
          .getBytes(StandardCharsets.UTF_8);
      status = 503;
    }
    respond(exchange, status, "application/json", body);
  }

  /** Asks the four requests at once and writes their answers. */
  String json() throws Exception {
    CompletableFuture<Envelope> status =
        ask(Replies.envelope(0).setStatusRequest(StatusRequest.getDefaultInstance()));
    CompletableFuture<Envelope> ring =
        ask(Replies.envelope(0).setRingRequest(RingRequest.getDefaultInstance()));
    CompletableFuture<Envelope> transfers =
        ask(Replies.envelope(0).setTransfersRequest(TransfersRequest.getDefaultInstance()));
    CompletableFuture<Envelope> repair =
        ask(Replies.envelope(0).setRepairStatusRequest(RepairStatusRequest.getDefaultInstance()));
    Map<NodeId, HintQueueStats> queues = hints.get();
    CompletableFuture.allOf(status, ring, transfers, repair)
        .get(ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    Envelope s = status.join();
    if (!s.hasStatusResponse()) {
      throw new IllegalStateException("status request answered " + s.getBodyCase() + " " + s.getError().getMessage());
    }
    // The others answer an error where the node has no membership or anti-entropy: left out.
    Envelope r = ring.join();
    Envelope t = transfers.join();
    Envelope a = repair.join();
    return DashboardJson.write(new DashboardJson.Inputs(
        s.getStatusResponse(),
        r.hasRingResponse() ? r.getRingResponse() : null,
        t.hasTransfersResponse() ? t.getTransfersResponse() : null,
        a.hasRepairStatusResponse() ? a.getRepairStatusResponse() : null,
        queues,
        history.samples(),
        intervalSeconds,
        clock.currentTimeMillis()));
  }

  private CompletableFuture<Envelope> ask(Envelope.Builder request) {
    return admin.ask(request.setRequestId(requestIds.incrementAndGet()).build());
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    try {
      String method = exchange.getRequestMethod();
      boolean head = method.equals("HEAD");
      var headers = exchange.getResponseHeaders();
      if (!head && !method.equals("GET")) {
        headers.set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      headers.set("Content-Type", contentType);
      headers.set("Cache-Control", "no-store");
      headers.set("X-Content-Type-Options", "nosniff");
      headers.set("Referrer-Policy", "no-referrer");
      headers.set("Content-Security-Policy", CSP);
      exchange.sendResponseHeaders(status, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } finally {
      exchange.close();
    }
  }

  private static Asset asset(String name, String contentType) {
    try (InputStream in = DashboardEndpoint.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard resource " + RESOURCES + name + " is missing from the jar");
      }
      return new Asset(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}

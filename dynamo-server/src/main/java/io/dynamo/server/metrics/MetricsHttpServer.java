package io.dynamo.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.dynamo.server.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP listener ({@code listen.metrics}): Prometheus text at {@code /metrics}, and any
 * other handler registered with {@link #handle} (a dashboard, say). A JDK HTTP server on threads of
 * its own, so no request to it ever runs on a Netty event loop.
 */
final class MetricsHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);
  /** Prometheus text exposition format 0.0.4, what every Prometheus version scrapes. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** Two threads: a slow dashboard request does not hold up a scrape. */
  private static final int THREADS = 2;

  private final HttpServer server;
  private final ExecutorService executor;

  MetricsHttpServer(HostPort address, Supplier<String> scrape) throws IOException {
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "metrics-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
    server.createContext("/metrics", exchange -> serveScrape(exchange, scrape));
    server.setExecutor(executor);
    server.start();
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  /** Serves {@code path} (and everything under it) with {@code handler}; see the JDK's rules. */
  void handle(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  private static void serveScrape(HttpExchange exchange, Supplier<String> scrape)
      throws IOException {
    byte[] body;
    int status = 200;
    try {
      body = scrape.get().getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      log.warn("metrics scrape failed: {}", e.toString());
      body = ("# scrape failed: " + e + "\n").getBytes(StandardCharsets.UTF_8);
      status = 500;
    }
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.server.dashboard.HeadlessChromium;
import io.dynamo.server.dashboard.RequestHistory;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in headless Chromium (docs/dashboard.md): node 1's page shows every node up and
 * the ring's partitions, shows the request rate under load, and marks a node down once node 1's
 * failure detector finds it gone. Asserts on the page's data attributes, not its layout. Also
 * writes {@code target/dashboard.png}, which {@code scripts/dashboard-screenshot.sh} copies to
 * docs/dashboard.png. Skips without /usr/bin/chromium.
 */
class DashboardIT {
  private static final int WIDTH = 1280;
  private static final Path SCREENSHOT = Path.of("target", "dashboard.png");
  /** More makes a fuller chart in the screenshot (scripts/dashboard-screenshot.sh asks for 24). */
  private static final int SCREENSHOT_SAMPLES = Integer.getInteger("dashboard.screenshot.samples", 3);

  @TempDir Path dir;

  @Test
  void pageShowsEveryNodeTheRingRequestsAndANodeGoingDown() throws Exception {
    assumeTrue(HeadlessChromium.available(), "no " + HeadlessChromium.BINARY + " (apt-get install chromium)");
    try (MiniCluster cluster = MiniCluster.start(3, dir.resolve("cluster"));
        HeadlessChromium chromium = HeadlessChromium.launch(dir.resolve("chromium"));
        HeadlessChromium.Page page = chromium.open(
            "http://127.0.0.1:" + cluster.node(0).metricsAddress().getPort() + "/", WIDTH, 900)) {
      await("every node shown up").until(() -> members(page, "true").equals(List.of("n1", "n2", "n3")));
      await("the ring's 64 partitions, each with an owner").until(() -> number(page,
          "[...document.querySelectorAll('#ring path[data-partition]')]"
              + ".filter(p => ['n1','n2','n3'].includes(p.getAttribute('data-owner'))).length") == 64);
      assertThat(number(page, "Number(document.getElementById('ring').getAttribute('data-partitions'))"))
          .isEqualTo(64);

      AtomicBoolean loading = new AtomicBoolean(true);
      Thread load = new Thread(() -> load(cluster, loading), "dashboard-load");
      load.start();
      try {
        await("a nonzero put and get rate").until(() ->
            number(page, rate("put")) > 0 && number(page, rate("get")) > 0);
        // Samples under load, so the screenshot's chart has a line to show (5 s each).
        await("samples of the load").atMost(Duration.ofSeconds(60 + 5 * SCREENSHOT_SAMPLES)).until(() ->
            number(page, "(async () => (await (await fetch('/api/dashboard')).json()).requests.samples"
                + ".filter(s => s.ops.put && s.ops.put.rate > 0).length)()") >= SCREENSHOT_SAMPLES);
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, page.screenshot(WIDTH));
      } finally {
        loading.set(false);
        load.join();
      }

      cluster.stopNode(2);
      await("n3 marked down by n1's failure detector")
          .until(() -> members(page, "false").equals(List.of("n3")));
      assertThat(members(page, "true")).containsExactly("n1", "n2");
      Files.write(SCREENSHOT.resolveSibling("dashboard-node-down.png"), page.screenshot(WIDTH));
      assertThat(page.evaluate(
              "document.querySelector('#members tr[data-node-id=\"n3\"] [data-health]').getAttribute('data-health')"))
          .isEqualTo("down");
    }
  }

  /** Puts and gets through node 1 until told to stop; the node times them into its meters. */
  private static void load(MiniCluster cluster, AtomicBoolean loading) {
    MeterRegistry registry = cluster.node(0).meterRegistry();
    DynamoClient client = cluster.client(0);
    AtomicLong n = new AtomicLong();
    client.put("dash", "warm-up", Context.NONE, new byte[] {1});
    if (registry.find(RequestHistory.TIMER).timers().isEmpty()) {
      throw new AssertionError("node 1 timed no request: the page would have no rates to show");
    }
    while (loading.get()) {
      String key = "k" + (n.incrementAndGet() % 200);
      client.put("dash", key, Context.NONE, ("v" + n.get()).getBytes(UTF_8));
      client.get("dash", key);
      client.get("dash", "k" + (n.get() * 7 % 200)); // twice the gets, so the chart's lines differ
      // A little load, not a benchmark: the 2-core machine also runs three nodes and a browser.
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static String rate(String op) {
    return "Number((document.querySelector('#ops tr[data-op=\"" + op + "\"]') || {getAttribute: () => 0})"
        + ".getAttribute('data-rate'))";
  }

  /** The ids of the member rows whose data-up is {@code up}, in page order. */
  @SuppressWarnings("unchecked")
  private static List<Object> members(HeadlessChromium.Page page, String up) throws Exception {
    return (List<Object>) page.evaluate("[...document.querySelectorAll('#members tr[data-up=\"" + up + "\"]')]"
        + ".map(r => r.getAttribute('data-node-id'))");
  }

  private static double number(HeadlessChromium.Page page, String expression) throws Exception {
    Object v = page.evaluate(expression);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static ConditionFactory await(String what) {
    // Generous: a loaded 2-core machine runs three nodes, their failure detectors and Chromium.
    return Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptions();
  }
}

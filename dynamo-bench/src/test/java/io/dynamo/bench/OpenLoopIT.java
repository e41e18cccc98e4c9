package io.dynamo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.RequestOptions;
import io.dynamo.server.MiniCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open-loop generator, unchanged, against three real in-process nodes on loopback, and against
 * a peer that never answers (to see the in-flight limit account for every request it holds back).
 * Assertions are on the accounting, which the schedule fixes, never on how fast anything ran.
 */
class OpenLoopIT {
  private static final int KEYS = 500;

  @TempDir static Path dir;
  static MiniCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = MiniCluster.start(3, dir);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyScheduledRequestIsOfferedSentAndAnswered() throws Exception {
    List<RatePhase> phases = List.of(
        new RatePhase("warmup", 200, Duration.ofMillis(500)),
        new RatePhase("measure", 200, Duration.ofSeconds(2)),
        new RatePhase("then1", 400, Duration.ofSeconds(1)));
    OpenLoopReport report;
    try (DynamoClient client = client(Duration.ofSeconds(30))) {
      OpenLoopRun run = new OpenLoopRun(phases, Duration.ofMillis(500), Duration.ofSeconds(31), 2, null,
          Timeline.none());
      report = run.run(client, "openloop", RequestOptions.DEFAULT, new Workload(0.5, KeyDistribution.uniform(KEYS)),
          new byte[100], new AtomicReferenceArray<>(KEYS), 10_000, 1, Map.of());
    }

    assertThat(report.phases()).extracting(OpenLoopReport.Phase::label).containsExactly("measure", "then1");
    for (int p = 0; p < 2; p++) {
      OpenLoopReport.Phase phase = report.phases().get(p);
      OpenLoopCounts c = phase.counts();
      assertThat(c.offered()).as(phase.label()).isEqualTo(SendSchedule.requestsIn(phases.get(p + 1)));
      assertThat(c.notSent()).as("the limit is far above what this rate keeps in flight").isZero();
      assertThat(c.sent()).isEqualTo(c.offered());
      assertThat(c.unfinished()).as("all drained").isZero();
      assertThat(c.ok() + c.overloaded() + c.timeouts() + c.otherErrors()).isEqualTo(c.sent());
      assertThat(c.ok()).as("%s: errors %s", phase.label(), c.errors()).isPositive();
      assertThat(c.okGets()).isPositive();
      assertThat(c.okPuts()).isPositive();
      assertThat(phase.served().count()).isEqualTo(c.ok());
      assertThat(phase.served().p50()).isPositive().isLessThanOrEqualTo(phase.served().max());
    }
    // Intervals by completion time: together they saw every answer of every phase, the warm-up's too.
    long answeredInIntervals = report.intervals().stream().mapToLong(i -> i.counts().answered()).sum();
    long offeredInIntervals = report.intervals().stream().mapToLong(i -> i.counts().offered()).sum();
    assertThat(offeredInIntervals).isEqualTo(SendSchedule.requestsIn(phases.get(0)) + 400 + 400);
    assertThat(answeredInIntervals).isEqualTo(offeredInIntervals);
    assertThat(report.intervals()).extracting(OpenLoopReport.Interval::phase)
        .containsExactly("warmup", "measure", "measure", "measure", "measure", "then1", "then1", "drain");
    assertThat(report.intervals().get(1).start()).isZero();
  }

  @Test
  void theCommandLineRunsLoadAndPhasesAndWritesJsonAndATimeline() throws IOException {
    Path timeline = dir.resolve("timeline.jsonl");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = LoadGenerator.commandLine(new LoadGenerator(utf8(out), utf8(err))).execute(
        "--nodes", nodes(), "--keys", "200", "--value-size", "64", "--clients", "4",
        "--rate", "100", "--warmup", "0s", "--duration", "1s", "--then", "200:1s",
        "--progress", "500ms", "--timeout", "30s", "--json", "--timeline", timeline.toString());

    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(report).startsWith("{\"settings\":{").contains("\"mode\":\"open-loop\"")
        .contains("\"phase\":\"measure\",\"seconds\":1.0,\"offered_per_sec\":100.0")
        .contains("\"phase\":\"then1\",\"seconds\":1.0,\"offered_per_sec\":200.0")
        .contains("\"offered\":100,\"sent\":100,\"not_sent\":0")
        .contains("\"offered\":200,\"sent\":200,\"not_sent\":0");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("loading 200 keys").contains("[measure");
    List<String> lines = Files.readAllLines(timeline);
    assertThat(lines).hasSize(5); // two intervals per phase, then the drain
    assertThat(lines.get(0)).startsWith("{\"t\":0.0,\"epoch_ms\":").contains("\"phase\":\"measure\"");
    assertThat(lines.get(4)).contains("\"phase\":\"drain\"");
  }

  @Test
  void theClosedLoopWritesATimelineAndKeepsItsReport() throws IOException {
    Path timeline = dir.resolve("closed.jsonl");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = LoadGenerator.commandLine(new LoadGenerator(utf8(out), utf8(err))).execute(
        "--nodes", nodes(), "--keys", "200", "--value-size", "64", "--clients", "4", "--no-load",
        "--warmup", "0s", "--duration", "1s", "--progress", "500ms", "--timeout", "30s",
        "--timeline", timeline.toString());

    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("settings: bucket=bench clients=4 ").contains("\nop          count      ops/s");
    List<String> lines = Files.readAllLines(timeline);
    assertThat(lines).isNotEmpty().allMatch(l -> l.contains("\"phase\":\"measure\""));
    assertThat(lines.get(0)).startsWith("{\"t\":").contains("\"epoch_ms\":", "\"ok_gets\":", "\"ok_puts\":");
  }

  @Test
  void requestsBeyondTheInFlightLimitAreCountedAsNotSent() throws Exception {
    // A peer that accepts connections and never answers: the first five requests stay in flight
    // until the client's timeout, so every later one meets the limit. The counts follow from the
    // schedule alone.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        DynamoClient client = DynamoClient.builder().routing(DynamoClient.Routing.SERVER).node("127.0.0.1:" + silent.getLocalPort())
            .timeout(Duration.ofSeconds(3)).build()) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      List<RatePhase> phases = List.of(
          new RatePhase("warmup", 1000, Duration.ZERO),
          new RatePhase("measure", 1000, Duration.ofMillis(200)));
      OpenLoopReport report = new OpenLoopRun(phases, Duration.ofMillis(100), Duration.ofSeconds(4), 2, null,
          Timeline.none()).run(client, "b", RequestOptions.DEFAULT,
              new Workload(0.5, KeyDistribution.uniform(10)), new byte[1], new AtomicReferenceArray<Context>(10),
              5, 1, Map.of());

      OpenLoopCounts c = report.phases().get(0).counts();
      assertThat(c.offered()).isEqualTo(200);
      assertThat(c.sent()).isEqualTo(5);
      assertThat(c.notSent()).isEqualTo(195);
      assertThat(c.timeouts()).isEqualTo(5);
      assertThat(c.ok()).isZero();
      assertThat(c.unfinished()).isZero();
      assertThat(report.phases().get(0).served().count()).isZero();
      silent.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  private static DynamoClient client(Duration timeout) {
    DynamoClient.Builder b = DynamoClient.builder().timeout(timeout).ioThreads(2);
    for (int i = 0; i < cluster.size(); i++) {
      b.node(cluster.clientAddress(i));
    }
    return b.build();
  }

  private static String nodes() {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      nodes.add(cluster.clientAddress(i));
    }
    return String.join(",", nodes);
  }

  private static PrintStream utf8(ByteArrayOutputStream out) {
    return new PrintStream(out, true, StandardCharsets.UTF_8);
  }
}

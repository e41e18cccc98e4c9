package io.dynamo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.server.MiniCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stats and --watch against three real nodes in-process: a row per node with its own figures, and
 * a node that is stopped shown as not answering while the others still have theirs.
 */
class StatsCommandIT {
  private static final int NODES = 3;

  @TempDir static Path dir;
  static MiniCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = MiniCluster.start(NODES, dir, p -> p.setProperty("request.timeout", "3s"));
    cluster.awaitMutualView();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void everyNodeHasARowWithItsFigures() {
    CliIT.Run stats = ok("stats");
    List<String> lines = stats.out().lines().toList();
    assertThat(lines.get(0)).startsWith("node  answer  seen up  uptime  ring  first  copies  hints");
    assertThat(lines).hasSize(1 + NODES);
    for (int i = 0; i < NODES; i++) {
      // 64 partitions, N=3 on 3 nodes: every node holds a copy of every partition.
      assertThat(stats.out())
          .containsPattern("(?m)^" + MiniCluster.id(i)
              + " +yes +\\d/3 +\\d+(ms|\\.\\ds|m\\d\\ds) +\\d+ +\\d+ +64 +\\d+ +\\S+ +\\d+ +\\d+(\\.\\d)? (B|KiB|MiB)"
              + " +\\d+ +\\d+ +\\d+ +\\d+ +0$");
    }

    String json = ok("stats", "--json").out();
    assertThat(json).startsWith("{\"nodes\":[").doesNotContain("\"answered\":\"none\"");
    for (int i = 0; i < NODES; i++) {
      assertThat(json)
          .contains("{\"node\":\"" + MiniCluster.id(i) + "\",\"address\":\""
              + cluster.clientAddress(i) + "\",\"answered\":\"all\",\"seenUpBy\":");
    }
    // Every node gave its status; whether each sees the others up is the failure detectors' call.
    assertThat(count(json, "\"seenBy\":3,")).isEqualTo(NODES);
    assertThat(count(json, "\"copies\":64,")).isEqualTo(NODES);
  }

  @Test
  void aStoppedNodeIsShownAsNotAnsweringAndTheOthersKeepTheirFigures() {
    cluster.stopNode(2);
    try {
      cluster.awaitMutualView();
      // n3 is down: the coordinator keeps a hint for it, which the stats of n1 or n2 must show.
      ok("put", "stats", "k", "v");
      Awaitility.await("a hint for n3 on n1 or n2")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> hintsHeld(ok("stats", "--json").out()) >= 1);

      CliIT.Run stats = ok("stats");
      assertThat(stats.out())
          .containsPattern("(?m)^n1 +yes +\\d/2 +\\S+ +\\d+ +\\d+ +64 ")
          .containsPattern("(?m)^n2 +yes +\\d/2 +\\S+ +\\d+ +\\d+ +64 ")
          .containsPattern("(?m)^n3 +NO +0/2( +-){13}$")
          .containsPattern("(?m)^n3 \\(" + Pattern.quote(cluster.clientAddress(2))
              + "\\) did not answer: CONNECTION: ");

      String json = ok("stats", "--json").out();
      assertThat(json)
          .contains("{\"node\":\"n3\",\"address\":\"" + cluster.clientAddress(2)
              + "\",\"answered\":\"none\",\"seenUpBy\":0,\"seenBy\":2,\"uptimeMillis\":null,")
          .contains("\"error\":{\"code\":\"CONNECTION\"");
      assertThat(count(json, "\"answered\":\"all\"")).isEqualTo(2);
    } finally {
      cluster.restartNode(2);
    }
  }

  @Test
  void watchRedrawsAndWithJsonPrintsOneDocumentPerInterval() {
    CliIT.Run status = ok("status", "--watch", "20ms", "--count", "3", "--json");
    List<String> documents = status.out().lines().toList();
    assertThat(documents).hasSize(3).allMatch(d -> d.startsWith("{\"node\":\"n1\","));

    CliIT.Run stats = ok("stats", "--watch", "20ms", "--count", "2");
    assertThat(count(stats.out(), Watch.CLEAR_SCREEN)).isEqualTo(2);
    assertThat(stats.out()).contains("dynamo stats, every 20ms (Ctrl-C to stop)");
    assertThat(count(stats.out(), "\nn3 ")).isEqualTo(2);

    CliIT.Run repairStatus = ok("repair", "--status", "--watch", "20ms", "--count", "2");
    assertThat(count(repairStatus.out(), Watch.CLEAR_SCREEN)).isEqualTo(2);
    assertThat(count(repairStatus.out(), " partitions: ")).isEqualTo(2);

    // With nothing to copy, transfers --watch stops after its first frame.
    assertThat(ok("transfers", "--watch", "20ms").out()).contains("no transfers\n");
  }

  @Test
  void watchIsRefusedWhereItWouldRepeatAChange() {
    CliIT.Run repair = cli("repair", "--watch");
    assertThat(repair.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(repair.err()).startsWith("dynamo: --watch only with --status");

    CliIT.Run count = cli("status", "--count", "2");
    assertThat(count.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(count.err()).contains("--count takes a positive number, and only with --watch");
  }

  // ---- harness ------------------------------------------------------------------------------

  private static CliIT.Run ok(String... args) {
    CliIT.Run run = cli(args);
    assertThat(run.exit()).as("exit status of %s; stderr: %s", List.of(args), run.err()).isZero();
    return run;
  }

  /** Runs the CLI against node n1. */
  private static CliIT.Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(0, "--node=" + cluster.clientAddress(0));
    return CliIT.run(Map.of(), null, "", all.toArray(String[]::new));
  }

  /** The hints the nodes that answered hold, from stats --json. */
  private static long hintsHeld(String json) {
    Matcher m = Pattern.compile("\"hints\":(\\d+)").matcher(json);
    long total = 0;
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    return total;
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      n++;
    }
    return n;
  }
}

package io.dynamo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.server.MiniCluster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import picocli.CommandLine;

/** The CLI in-process against three real nodes (Netty, RocksDB) on loopback. */
class CliIT {
  private static final int NODES = 3;

  @TempDir static Path dir;
  static MiniCluster cluster;

  /** What one run of the CLI printed and returned. */
  record Run(int exit, String out, String err) {}

  @BeforeAll
  static void startCluster() {
    // Quorum failures surface after the coordinator's request timeout: keep it short, but not so
    // short that a slow first request on a busy machine fails.
    cluster = MiniCluster.start(NODES, dir, p -> p.setProperty("request.timeout", "3s"));
    // Every node answers before the tests start: peer connections are up, classes loaded.
    Run warmUp = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      warmUp = cli("put", "warmup", "k", "v", "--w", "3", "--timeout", "20s");
      if (warmUp.exit() == 0) {
        return;
      }
    }
    throw new IllegalStateException("cluster not ready: " + warmUp.err());
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void putPrintsTheNewContextAndGetPrintsTheValueThenTheContext() {
    Run put = ok("put", "basics", "k1", "hello world");
    String context = contextLine(put.out());
    assertThat(context).isNotEmpty();

    Run get = ok("get", "basics", "k1");
    assertThat(get.out()).isEqualTo("hello world\ncontext: " + context + "\n");
    assertThat(get.err()).isEmpty();
  }

  @Test
  void blindWritesBecomeSiblingsAndAPutWithTheContextResolvesThem() {
    ok("put", "carts", "alice", "apple");
    ok("--node", address(1), "put", "carts", "alice", "banana");

    Run human = ok("get", "carts", "alice", "--r", "3");
    assertThat(human.out()).contains("apple\n", "banana\n", "2 siblings", "--context");
    String context = contextLine(human.out());

    Run json = ok("get", "carts", "alice", "--r", "3", "--json");
    assertThat(json.out().strip())
        .startsWith("{\"values\":[")
        .contains("\"apple\"", "\"banana\"", "\"context\":\"" + context + "\"")
        .contains("\"deleted\":false", "\"siblings\":2");

    ok("put", "carts", "alice", "apple,banana", "--context", context);
    Run resolved = ok("get", "carts", "alice", "--r", "3", "--json");
    assertThat(resolved.out()).contains("\"values\":[\"apple,banana\"]", "\"siblings\":1");
  }

  @Test
  void deleteWithoutAContextReadsFirstAndGetThenShowsTheTombstone() {
    ok("put", "basics", "gone", "x");
    Run delete = ok("delete", "basics", "gone");
    assertThat(delete.out()).startsWith("deleted\ncontext: ");

    Run get = ok("get", "basics", "gone", "--r", "3", "--json");
    assertThat(get.out()).contains("\"values\":[]", "\"deleted\":true", "\"siblings\":0");
    assertThat(ok("get", "basics", "gone").out()).startsWith("(deleted)\n");

    Run nothing = ok("delete", "basics", "never-written", "--json");
    assertThat(nothing.out().strip()).isEqualTo("{\"deleted\":false,\"context\":\"\"}");
    assertThat(ok("get", "basics", "never-written").out()).isEqualTo("(not found)\n");
  }

  @Test
  void deleteWithAContextDeletesWhatWasRead() {
    String context = contextLine(ok("put", "basics", "ctx-delete", "v").out());
    Run delete = ok("delete", "basics", "ctx-delete", "--context", context, "--w", "3", "--json");
    assertThat(delete.out()).startsWith("{\"deleted\":true,\"context\":\"");
    assertThat(ok("get", "basics", "ctx-delete", "--json").out()).contains("\"deleted\":true");
  }

  @Test
  void putReadsTheValueFromStandardInputAndBase64RoundTrips() {
    Run put =
        run(Map.of(), null, "from stdin\nsecond line", "--node", address(0), "put", "basics", "stdin");
    assertThat(put.exit()).as(put.err()).isZero();
    assertThat(ok("get", "basics", "stdin", "--json").out())
        .contains("\"values\":[\"from stdin\\nsecond line\"]");

    ok("put", "basics", "binary", "AAEC/w==", "--base64");
    assertThat(ok("get", "basics", "binary", "--base64").out()).startsWith("AAEC/w==\n");
  }

  @Test
  void statusShowsTheNodeItsQuorumsAndEveryMember() {
    Run status = ok("status");
    assertThat(status.out()).startsWith("node n1 ").contains("partitions 64", "N=3 R=2 W=2");
    for (int i = 0; i < NODES; i++) {
      assertThat(status.out())
          .containsPattern(
              id(i) + "\\s+valid\\s+" + Pattern.quote(address(i)) + "\\s+capacity 1\\s+\\d+ copies");
    }
    Run json = ok("status", "--json");
    assertThat(json.out())
        .startsWith("{\"node\":\"n1\"")
        .contains("\"partitions\":64", "\"n\":3", "\"r\":2", "\"w\":2", "\"id\":\"n3\"");
  }

  @Test
  void routeShowsThePartitionThePreferenceListAndTheTargets() {
    Run human = ok("route", "basics", "routed");
    assertThat(human.out())
        .containsPattern("^basics/routed: partition \\d+, as n1 sees it\n")
        .contains("preference list (N=3):\n", "targets (3):\n")
        .doesNotContain("DOWN", "substitute");
    for (int i = 0; i < NODES; i++) {
      assertThat(human.out())
          .containsPattern("(?m)^  " + id(i) + "\\s+up$")
          .containsPattern("(?m)^  " + id(i) + "\\s+home$");
    }

    Run json = ok("route", "basics", "routed", "--json");
    assertThat(json.out().strip())
        .matches("\\{\"node\":\"n1\",\"partition\":\\d+,\"preferenceList\":\\[.*\\],"
            + "\"targets\":\\[.*\\]\\}");
    for (int i = 0; i < NODES; i++) {
      assertThat(json.out())
          .contains("{\"id\":\"" + id(i) + "\",\"up\":true}")
          .contains("{\"id\":\"" + id(i) + "\",\"standsInFor\":null}");
    }
    // The partition is the same whichever node is asked.
    String partition = partitionOf(json.out());
    Run fromN3 = ok("--node", address(2), "route", "basics", "routed", "--json");
    assertThat(fromN3.out()).startsWith("{\"node\":\"n3\"");
    assertThat(partitionOf(fromN3.out())).isEqualTo(partition);
  }

  @Test
  void getReplicaReadsOneNodesOwnCopy() {
    String context = contextLine(ok("put", "basics", "replicated", "v1", "--w", "3").out());

    Run human = ok("get", "basics", "replicated", "--replica", "n2");
    assertThat(human.out())
        .isEqualTo("replica n2 (" + address(1) + "), its own copy only: no quorum, no read repair\n"
            + "v1\ncontext: " + context + "\n");

    Run json = ok("get", "basics", "replicated", "--replica", "n3", "--json");
    assertThat(json.out().strip())
        .isEqualTo("{\"replica\":\"n3\",\"address\":\"" + address(2) + "\",\"values\":[\"v1\"],"
            + "\"context\":\"" + context + "\",\"deleted\":false,\"siblings\":1}");

    assertThat(ok("get", "basics", "never-written", "--replica", "n1").out())
        .endsWith("no read repair\n(not found)\n");
  }

  @Test
  void getReplicaWithAnUnknownNodeIdIsAUsageError() {
    Run run = cli("get", "basics", "k", "--replica", "n9");
    assertThat(run.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo("dynamo: --replica: no node 'n9' in the cluster (members, as n1 sees them:"
            + " n1, n2, n3)\n");

    Run json = cli("get", "basics", "k", "--replica", "n9", "--json");
    assertThat(json.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(json.err()).startsWith("{\"error\":{\"code\":\"USAGE\",\"message\":\"--replica: no node");

    Run withR = cli("get", "basics", "k", "--replica", "n2", "--r", "3");
    assertThat(withR.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(withR.err()).contains("--r has no effect with --replica");
  }

  @Test
  void hintsOnAHealthyClusterSaysThereAreNone() {
    // Tests that stopped a node leave hints behind until they are handed back: wait for that.
    Awaitility.await("hints from earlier tests handed back")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> ok("hints").out().equals("no hints on any node\n"));
    assertThat(ok("hints", "--json").out().strip()).isEqualTo("{\"queues\":[],\"unreachable\":[]}");
    // Any node may be asked for the member list.
    assertThat(ok("--node", address(2), "hints").out()).isEqualTo("no hints on any node\n");
  }

  @Test
  void aReplicaThatMissedAWriteIsSeenStaleThenCatchesUp() {
    stopNode(2);
    try {
      cluster.awaitMutualView();
      // n3 is down: the route says so, and only two replicas can be written (no substitute: every
      // node is already a home replica).
      Run route = ok("route", "basics", "stale");
      assertThat(route.out())
          .containsPattern("(?m)^  n3\\s+DOWN$")
          .contains("targets (2):\n", "only 2 of 3 replicas can be written now");
      assertThat(ok("route", "basics", "stale", "--json").out())
          .contains("{\"id\":\"n3\",\"up\":false}")
          .doesNotContain("{\"id\":\"n3\",\"standsInFor\"");

      // A node that cannot be asked for its hints is reported, and the command still succeeds.
      Run hints = ok("hints");
      assertThat(hints.out())
          .startsWith("no hints on the nodes that answered\n")
          .containsPattern("(?m)^n3 unreachable: ");
      assertThat(ok("hints", "--json").out())
          .startsWith("{\"queues\":[],\"unreachable\":[{\"node\":\"n3\",\"address\":\""
              + address(2) + "\",\"code\":\"CONNECTION\",\"message\":");

      Run unreachable = cli("get", "basics", "stale", "--replica", "n3");
      assertThat(unreachable.exit()).isEqualTo(ExitCode.CONNECTION);
      assertThat(unreachable.err()).startsWith("dynamo: CONNECTION: replica n3: ");

      ok("put", "basics", "stale", "fresh");
    } finally {
      cluster.restartNode(2);
    }
    assertThat(ok("get", "basics", "stale", "--replica", "n1").out()).contains("\nfresh\n");

    // n3 catches up: through the hint its coordinator kept for it, or a read's repair
    // (FailurePathIT in dynamo-server shows each mechanism alone).
    assertThat(ok("get", "basics", "stale").out()).startsWith("fresh\n");
    Awaitility.await("n3 catching up")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> ok("get", "basics", "stale", "--replica", "n3").out().contains("\nfresh\n"));
  }

  @Test
  void anInvalidRequestIsOneLineOnStderrAndExitStatus3() {
    Run run = cli("put", "basics", "k", "v", "--w", "4");
    assertThat(run.exit()).isEqualTo(ExitCode.INVALID_REQUEST);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("dynamo: INVALID_ARGUMENT: ").containsOnlyOnce("\n");

    Run json = cli("put", "bad bucket!", "k", "v", "--json");
    assertThat(json.exit()).isEqualTo(ExitCode.INVALID_REQUEST);
    assertThat(json.err().strip())
        .startsWith("{\"error\":{\"code\":\"INVALID_ARGUMENT\",\"message\":\"invalid bucket name")
        .contains("\"retryable\":false", "\"exitCode\":3");
  }

  @Test
  void aMissingQuorumReportsRequiredAndAcknowledged() {
    stopNode(2);
    try {
      // Once the others believe n3 is down, a W=3 write cannot even be attempted.
      cluster.awaitMutualView();
      Run run = cli("put", "basics", "quorum", "v", "--w", "3", "--json");
      assertThat(run.exit()).isEqualTo(ExitCode.QUORUM_UNAVAILABLE);
      assertThat(run.err())
          .contains("\"code\":\"QUORUM_UNAVAILABLE\"", "\"required\":3", "\"acknowledged\":0")
          .contains("only 2 are believed up", "\"retryable\":true");

      Run human = cli("get", "basics", "quorum", "--r", "3");
      assertThat(human.exit()).isEqualTo(ExitCode.QUORUM_UNAVAILABLE);
      assertThat(human.err())
          .startsWith("dynamo: QUORUM_UNAVAILABLE: ")
          .endsWith("(required 3, acknowledged 0)\n");

      // Two replicas are still enough for the default W=2: the write succeeds.
      assertThat(cli("put", "basics", "quorum", "v").exit()).isZero();
    } finally {
      cluster.restartNode(2);
    }
  }

  @Test
  void anUnreachableNodeIsAConnectionError() {
    int closed = freePort();
    Run run = run(Map.of(), null, "", "get", "b", "k", "--node", "127.0.0.1:" + closed);
    assertThat(run.exit()).isEqualTo(ExitCode.CONNECTION);
    assertThat(run.err()).startsWith("dynamo: CONNECTION: ").doesNotContain("\tat ");
  }

  @Test
  void nodesComeFromTheOptionThenTheEnvironmentThenTheClusterDirectory() throws IOException {
    Run none = run(Map.of(), null, "", "get", "b", "k");
    assertThat(none.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(none.err()).startsWith("dynamo: no node to talk to").containsOnlyOnce("\n");

    Run fromEnv = run(Map.of("DYNAMO_NODE", address(1)), null, "", "status");
    assertThat(fromEnv.out()).startsWith("node n2 ");

    Path clusterDir = Files.createDirectories(dir.resolve("cluster-files"));
    Files.writeString(clusterDir.resolve("client-addresses"), address(2) + "," + address(0) + "\n");
    Run fromFile = run(Map.of(), clusterDir, "", "status");
    assertThat(fromFile.out()).startsWith("node n3 ");
    Run fromEnvDir = run(Map.of("DYNAMO_CLUSTER_DIR", clusterDir.toString()), null, "", "status");
    assertThat(fromEnvDir.out()).startsWith("node n3 ");
  }

  @Test
  void badArgumentsAreUsageErrorsWithoutStackTraces() {
    Run badContext = cli("put", "b", "k", "v", "--context", "not base64!");
    assertThat(badContext.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(badContext.err()).startsWith("dynamo: Invalid value for option '--context'");

    Run missing = cli("get", "b");
    assertThat(missing.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(missing.err()).contains("Missing required parameter", "--help");

    Run json = cli("get", "b", "--json");
    assertThat(json.err().strip()).startsWith("{\"error\":{\"code\":\"USAGE\"");

    Run badTimeout = cli("--timeout", "soon", "status");
    assertThat(badTimeout.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(cli().exit()).isEqualTo(ExitCode.USAGE);
    assertThat(badTimeout.err() + badContext.err()).doesNotContain("\tat ");
  }

  // ---- harness ------------------------------------------------------------------------------

  /** Runs the CLI against node n1, with no environment, and expects success. */
  private static Run ok(String... args) {
    Run run = cli(args);
    assertThat(run.exit()).as("exit status of %s; stderr: %s", List.of(args), run.err()).isZero();
    return run;
  }

  /** Runs the CLI against node n1, with no environment. */
  private static Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--node")) {
      all.add(0, "--node=" + address(0));
    }
    return run(Map.of(), null, "", all.toArray(String[]::new));
  }

  /** Runs the CLI in-process with the given environment, cluster directory and standard input. */
  static Run run(Map<String, String> env, Path clusterDir, String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    DynamoCli cli =
        new DynamoCli(
            env::get, clusterDir, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    CommandLine cl = DynamoCli.commandLine(cli);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static String contextLine(String out) {
    Matcher m = Pattern.compile("(?m)^context: (\\S+)$").matcher(out);
    assertThat(m.find()).as("a context line in %s", out).isTrue();
    return m.group(1);
  }

  private static String partitionOf(String routeJson) {
    Matcher m = Pattern.compile("\"partition\":(\\d+)").matcher(routeJson);
    assertThat(m.find()).as("a partition in %s", routeJson).isTrue();
    return m.group(1);
  }

  private static String id(int i) {
    return MiniCluster.id(i);
  }

  private static String address(int i) {
    return cluster.clientAddress(i);
  }

  private static void stopNode(int i) {
    cluster.stopNode(i);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }
}

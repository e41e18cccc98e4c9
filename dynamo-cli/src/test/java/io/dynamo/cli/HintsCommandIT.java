package io.dynamo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.server.MiniCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * route and hints on four nodes, where a key has a node outside its preference list to stand in for
 * a home replica that is down. (Named CliIT... so that {@code -Dit.test='CliIT*'} runs it too.)
 */
class HintsCommandIT {
  private static final int NODES = 4;
  private static final String BUCKET = "handoff";
  private static final String KEY = "k";

  @TempDir Path dir;

  @Test
  void aSubstituteHoldsAHintForTheHomeReplicaThatIsDownAndHandsItOffWhenItIsBack() {
    List<NodeId> home = ring().preferenceList(BUCKET, KEY.getBytes(StandardCharsets.UTF_8), 3);
    int down = index(home.get(2));
    int coordinator = index(home.get(0));
    int substitute = outsider(home);
    String downId = MiniCluster.id(down);
    String substituteId = MiniCluster.id(substitute);

    try (MiniCluster cluster =
        MiniCluster.start(NODES, dir, p -> p.setProperty("request.timeout", "3s"))) {
      String node = "--node=" + cluster.clientAddress(coordinator);
      assertThat(ok(node, "hints").out()).isEqualTo("no hints on any node\n");

      cluster.stopNode(down);
      cluster.awaitMutualView();

      // The route shows the home replica down and the outsider standing in for it.
      CliIT.Run route = ok(node, "route", BUCKET, KEY);
      assertThat(route.out())
          .containsPattern("(?m)^  " + downId + "\\s+DOWN$")
          .containsPattern(
              "(?m)^  " + substituteId + "\\s+substitute for " + downId + " \\(holds hints\\)$")
          .contains("targets (3):\n");
      assertThat(ok(node, "route", BUCKET, KEY, "--json").out())
          .contains("{\"id\":\"" + downId + "\",\"up\":false}")
          .contains("{\"id\":\"" + substituteId + "\",\"standsInFor\":\"" + downId + "\"}");

      // W=3: the substitute, too, has stored the write (as a hint) when the put returns.
      ok(node, "put", BUCKET, KEY, "v", "--w", "3");

      CliIT.Run hints = ok(node, "hints");
      assertThat(hints.out())
          .startsWith("holder   target      hints  oldest\n")
          .containsPattern("(?m)^" + substituteId + "\\s+" + downId + "\\s+1  \\d+(\\.\\d)?m?s$")
          .containsPattern("(?m)^" + downId + " unreachable: ");
      assertThat(hints.out().lines().filter(l -> l.contains(" " + downId + " "))).hasSize(1);
      assertThat(ok(node, "hints", "--json").out())
          .containsPattern(
              "\\{\"queues\":\\[\\{\"holder\":\"" + substituteId + "\",\"target\":\"" + downId
                  + "\",\"count\":1,\"oldestAgeMillis\":\\d+\\}\\],\"unreachable\":\\[\\{\"node\":\""
                  + downId + "\"");

      // Back up: the substitute hands the hint off, and the home replica has the value.
      cluster.restartNode(down);
      Awaitility.await("hint handed off to " + downId)
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> ok(node, "hints").out().equals("no hints on any node\n"));
      assertThat(ok(node, "get", BUCKET, KEY, "--replica", downId).out()).contains("\nv\ncontext: ");
    }
  }

  private static CliIT.Run ok(String... args) {
    CliIT.Run run = CliIT.run(Map.of(), null, "", args);
    assertThat(run.exit()).as("exit status of %s; stderr: %s", List.of(args), run.err()).isZero();
    return run;
  }

  /** The ring every node computes from the MiniCluster's configuration. */
  private static Ring ring() {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      members.add(Member.of(MiniCluster.id(i), 1));
    }
    return Ring.create(members, 64, 3);
  }

  private static int index(NodeId id) {
    for (int i = 0; i < NODES; i++) {
      if (MiniCluster.id(i).equals(id.value())) {
        return i;
      }
    }
    throw new IllegalArgumentException("not a member: " + id);
  }

  private static int outsider(List<NodeId> home) {
    for (int i = 0; i < NODES; i++) {
      if (!home.contains(NodeId.of(MiniCluster.id(i)))) {
        return i;
      }
    }
    throw new IllegalStateException("every node is a home replica");
  }
}

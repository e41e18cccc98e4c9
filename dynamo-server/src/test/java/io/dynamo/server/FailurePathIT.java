package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.HintQueue;
import io.dynamo.client.QuorumUnavailableException;
import io.dynamo.client.RequestOptions;
import io.dynamo.client.Route;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure path on five real nodes in one JVM: sloppy quorum while home replicas are down,
 * durable hints handed back when they return, read repair of a replica that missed a write.
 */
class FailurePathIT {
  private static final int NODES = 5;
  private static final String BUCKET = "fail";
  private static final Consumer<Properties> FAST_DETECTION =
      p -> {
        p.setProperty("failure-detector.heartbeat-interval", "100ms");
        p.setProperty("failure-detector.acceptable-pause", "1s");
        p.setProperty("request.timeout", "2s");
      };

  @TempDir Path dir;

  @Test
  void writesSucceedWithTwoHomeReplicasDownAndReachThemThroughHints() {
    try (MiniCluster cluster = MiniCluster.start(NODES, dir, FAST_DETECTION)) {
      String key = "cart";
      List<Integer> home = homeReplicas(key);
      int survivor = home.get(0);
      DynamoClient client = cluster.client(outsiderOf(home));

      cluster.stopNode(home.get(1));
      cluster.stopNode(home.get(2));
      cluster.awaitMutualView();

      Route route = cluster.client(survivor).route(0, BUCKET, key);
      assertThat(route.targets()).hasSize(3);
      assertThat(route.targets().stream().filter(t -> !t.standsInFor().isEmpty())).hasSize(2);

      Context c = client.put(BUCKET, key, Context.NONE, "v1".getBytes(UTF_8));
      client.put(BUCKET, key, c, "v2".getBytes(UTF_8));
      assertThat(strings(client.get(BUCKET, key).values())).containsExactly("v2");
      assertThat(hintsFor(cluster, MiniCluster.id(home.get(1)))).isPositive();
      String down = MiniCluster.id(home.get(1));
      // The detector's state changes are counted on its next round: wait for the scrape to show it.
      Awaitility.await("metrics of " + MiniCluster.id(survivor))
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(cluster.scrapeMetrics(survivor))
          .contains("dynamo_peer_up{node=\"" + MiniCluster.id(survivor) + "\",peer=\"" + down + "\"} 0.0")
          .contains("# TYPE dynamo_hints_pending gauge")
          .contains("dynamo_peer_state_changes_total{node=\"" + MiniCluster.id(survivor) + "\",peer=\"" + down + "\"} 1.0"));

      cluster.restartNode(home.get(1));
      cluster.restartNode(home.get(2));
      Awaitility.await("hints handed back")
          .atMost(Duration.ofSeconds(30))
          .until(() -> hintsFor(cluster, MiniCluster.id(home.get(1))) == 0
              && hintsFor(cluster, MiniCluster.id(home.get(2))) == 0);
      for (int h : home) {
        GetResult local = cluster.client(h).localGet(0, BUCKET, key);
        assertThat(strings(local.values())).as("local copy on %s", MiniCluster.id(h)).containsExactly("v2");
      }
    }
  }

  @Test
  void tooFewNodesUpIsAQuorumErrorWithCounts() {
    try (MiniCluster cluster = MiniCluster.start(3, dir, FAST_DETECTION)) {
      cluster.stopNode(1);
      cluster.stopNode(2);
      cluster.awaitMutualView();
      assertThatThrownBy(() -> cluster.client(0).put(BUCKET, "k", Context.NONE, new byte[] {1}))
          .isInstanceOfSatisfying(
              QuorumUnavailableException.class,
              e -> {
                assertThat(e.required()).isEqualTo(2);
                assertThat(e.getMessage()).contains("only 1");
              });
    }
  }

  @Test
  void aReadRepairsAReplicaThatMissedAWrite() {
    // Hints stay put and anti-entropy is off, so only read repair can bring the returning replica
    // up to date.
    Consumer<Properties> noHandoff =
        FAST_DETECTION.andThen(p -> {
          p.setProperty("handoff.enabled", "false");
          p.setProperty("anti-entropy.enabled", "false");
        });
    try (MiniCluster cluster = MiniCluster.start(NODES, dir, noHandoff)) {
      String key = "profile";
      List<Integer> home = homeReplicas(key);
      int stale = home.get(2);
      DynamoClient client = cluster.client(home.get(0));
      cluster.stopNode(stale);
      cluster.awaitMutualView();
      client.put(BUCKET, key, Context.NONE, "written while away".getBytes(UTF_8));
      cluster.restartNode(stale);
      assertThat(cluster.client(stale).localGet(0, BUCKET, key).found()).isFalse();

      // The returning node's first answers can be slow on a loaded machine (cold JVM and
      // RocksDB): a quorum error is retryable, so retry until the R=3 read goes through.
      GetResult read =
          Awaitility.await("an R=3 read")
              .atMost(Duration.ofSeconds(30))
              .ignoreException(QuorumUnavailableException.class)
              .until(() -> client.get(BUCKET, key.getBytes(UTF_8), RequestOptions.r(3)), r -> r != null);
      assertThat(strings(read.values())).containsExactly("written while away");
      Awaitility.await("read repair of " + MiniCluster.id(stale))
          .atMost(Duration.ofSeconds(30))
          .until(() -> cluster.client(stale).localGet(0, BUCKET, key).found());
      assertThat(strings(cluster.client(stale).localGet(0, BUCKET, key).values()))
          .containsExactly("written while away");
    }
  }


  private static long hintsFor(MiniCluster cluster, String target) {
    long total = 0;
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.node(i) == null) {
        continue;
      }
      for (HintQueue q : cluster.client(i).hints(0)) {
        if (q.target().equals(target)) {
          total += q.count();
        }
      }
    }
    return total;
  }

  /** Indexes of the key's home replicas, in preference order. */
  private static List<Integer> homeReplicas(String key) {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      members.add(Member.of(MiniCluster.id(i), 1));
    }
    List<Integer> out = new ArrayList<>();
    for (NodeId id : Ring.create(members, 64, 3).preferenceList(BUCKET, key.getBytes(UTF_8), 3)) {
      out.add(Integer.parseInt(id.value().substring(1)) - 1);
    }
    return out;
  }

  private static int outsiderOf(List<Integer> home) {
    for (int i = 0; i < NODES; i++) {
      if (!home.contains(i)) {
        return i;
      }
    }
    throw new AssertionError();
  }

  private static List<String> strings(List<byte[]> values) {
    return ClusterBasicsIT.strings(values);
  }
}

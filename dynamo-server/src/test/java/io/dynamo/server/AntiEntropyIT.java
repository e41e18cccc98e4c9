package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.RepairStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy on three real nodes in one JVM, with hinted handoff and read repair off so that
 * nothing else can repair: a node that was down while writes went on catches up by itself (the
 * scheduled sweep), or at once on an operator's repair when the schedule is off.
 */
class AntiEntropyIT {
  private static final String BUCKET = "ae";
  private static final int KEYS = 200;

  @TempDir Path dir;

  private static Consumer<Properties> settings(boolean scheduled) {
    return p -> {
      p.setProperty("failure-detector.heartbeat-interval", "100ms");
      p.setProperty("failure-detector.acceptable-pause", "1s");
      p.setProperty("request.timeout", "2s");
      p.setProperty("handoff.enabled", "false");
      p.setProperty("read-repair.enabled", "false");
      p.setProperty("anti-entropy.enabled", Boolean.toString(scheduled));
      p.setProperty("anti-entropy.sweep", "3s");
      p.setProperty("anti-entropy.confirm-delay", "100ms");
    };
  }

  @Test
  void aNodeThatMissedWritesCatchesUpWithoutOperatorAction() {
    try (MiniCluster cluster = MiniCluster.start(3, dir, settings(true))) {
      missWritesOnNode(cluster, 2);
      Awaitility.await("every partition's owners agree")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> differing(cluster).isEmpty());
      assertEveryKeyLocal(cluster, 2);
      long repaired = 0;
      for (int i = 0; i < 3; i++) {
        for (String line : cluster.scrapeMetrics(i).split("\n")) {
          if (line.startsWith("dynamo_ae_keys_repaired_total{")) {
            repaired += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      }
      assertThat(repaired).as("keys repaired, as the nodes' metrics count them").isPositive();
    }
  }

  @Test
  void anOperatorRepairConvergesWhenTheScheduleIsOff() {
    try (MiniCluster cluster = MiniCluster.start(3, dir, settings(false))) {
      missWritesOnNode(cluster, 2);
      // Trees are built at start; until an exchange runs, the replicas stay apart.
      Awaitility.await("trees built").atMost(Duration.ofSeconds(30))
          .until(() -> allTreesReady(cluster));
      assertThat(differing(cluster)).isNotEmpty();
      for (int i = 0; i < 3; i++) {
        assertThat(cluster.client(i).repairAsync(0, null, true).join()).isNotEmpty();
      }
      Awaitility.await("repairs done and owners agree")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> differing(cluster).isEmpty());
      assertEveryKeyLocal(cluster, 2);
    }
  }

  @Test
  void tombstonesAreCollectedAndDeletedKeysStayDeleted() {
    try (MiniCluster cluster = MiniCluster.start(3, dir, settings(true).andThen(p -> {
      p.setProperty("anti-entropy.tombstone-grace", "1s");
    }))) {
      cluster.awaitMutualView();
      DynamoClient client = cluster.client(0);
      int keys = 50;
      for (int k = 0; k < keys; k++) {
        Context c = client.put(BUCKET, "t" + k, Context.NONE, ("v" + k).getBytes(UTF_8));
        client.delete(BUCKET, "t" + k, c);
      }
      // Every node owns every partition (3 nodes, N = 3): each purges its own copy of each key.
      Awaitility.await("tombstones purged on every node")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> purged(cluster) >= 3L * keys);
      for (int k = 0; k < keys; k++) {
        for (int i = 0; i < 3; i++) {
          GetResult local = cluster.client(i).localGet(0, BUCKET, "t" + k);
          assertThat(local.values()).as("t%d on node %d", k, i).isEmpty();
          assertThat(local.deleted()).as("t%d on node %d keeps no tombstone", k, i).isFalse();
        }
        assertThat(client.get(BUCKET, "t" + k).values()).isEmpty();
      }
    }
  }

  private static long purged(MiniCluster cluster) {
    long n = 0;
    for (int i = 0; i < 3; i++) {
      for (RepairStatus.Partition p : cluster.client(i).repairStatusAsync(0).join().partitions()) {
        n += p.tombstonesPurged();
      }
    }
    return n;
  }

  /** Stops node {@code down}, writes every key through the others, starts it again. */
  private static void missWritesOnNode(MiniCluster cluster, int down) {
    cluster.awaitMutualView();
    cluster.stopNode(down);
    cluster.awaitMutualView();
    DynamoClient client = cluster.client(0);
    for (int k = 0; k < KEYS; k++) {
      client.put(BUCKET, "k" + k, Context.NONE, ("v" + k).getBytes(UTF_8));
    }
    cluster.restartNode(down);
    cluster.awaitMutualView();
  }

  private static void assertEveryKeyLocal(MiniCluster cluster, int node) {
    DynamoClient c = cluster.client(node);
    for (int k = 0; k < KEYS; k++) {
      GetResult local = c.localGet(0, BUCKET, "k" + k);
      assertThat(local.values()).as("local copy of k%d on node %d", k, node).hasSize(1);
      assertThat(new String(local.values().get(0), UTF_8)).isEqualTo("v" + k);
    }
  }

  private static boolean allTreesReady(MiniCluster cluster) {
    for (int i = 0; i < 3; i++) {
      RepairStatus s = cluster.client(i).repairStatusAsync(0).join();
      if (s.partitions().stream().filter(RepairStatus.Partition::owned)
          .anyMatch(p -> !p.treeReady())) {
        return false;
      }
    }
    return true;
  }

  /** Partitions whose three owners' tree roots are not all equal (or not all built). */
  private static List<Integer> differing(MiniCluster cluster) {
    Map<Integer, List<Long>> roots = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      RepairStatus s = cluster.client(i).repairStatusAsync(0).join();
      for (RepairStatus.Partition p : s.partitions()) {
        if (p.owned()) {
          roots.computeIfAbsent(p.partition(), x -> new ArrayList<>())
              .add(p.treeReady() ? p.root() : null);
        }
      }
    }
    List<Integer> out = new ArrayList<>();
    roots.forEach((p, list) -> {
      // With 3 nodes and N = 3 every node owns every partition.
      if (list.size() != 3 || list.contains(null) || list.stream().distinct().count() != 1) {
        out.add(p);
      }
    });
    return out;
  }
}

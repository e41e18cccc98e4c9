package io.dynamo.faults;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.RepairStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real processes: one of three nodes is killed ({@code kill -9}) and its data directory deleted,
 * then started again. With hinted handoff and read repair off, anti-entropy alone must bring it
 * back: every partition's three owners report equal hash-tree roots (what {@code dynamo repair
 * --status} shows) within a minute, with no operator action, and the node holds every key itself.
 */
class WipedNodeIT {
  private static final String BUCKET = "wipe";
  private static final int KEYS = 300;

  private ProcessCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aWipedNodeCatchesUpThroughAntiEntropyAlone() {
    ProcessCluster.Builder b = ProcessCluster.builder().name("wipe").nodes(3);
    ProcessCluster.FAST_DETECTOR.forEach(b::set);
    cluster = b.set("handoff.enabled", "false")
        .set("read-repair.enabled", "false")
        .set("anti-entropy.sweep", "10s")
        .set("anti-entropy.confirm-delay", "100ms")
        .start();
    DynamoClient client = cluster.client();
    for (int k = 0; k < KEYS; k++) {
      client.put(BUCKET, "k" + k, Context.NONE, ("v" + k).getBytes(UTF_8));
    }
    String wiped = cluster.ids().get(2);
    cluster.kill(wiped);
    deleteRecursively(cluster.dir().resolve(wiped).resolve("data"));
    cluster.restart(wiped);
    // Once the wiped node has built its (empty) trees, its roots differ from the others'.
    Awaitility.await("the wiped node's trees built")
        .atMost(Duration.ofSeconds(60))
        .until(() -> cluster.client().repairStatusAsync(cluster.index(wiped)).join().partitions()
            .stream().filter(RepairStatus.Partition::owned).allMatch(RepairStatus.Partition::treeReady));

    Awaitility.await("every partition's owners agree")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> differing().isEmpty());

    DynamoClient own = cluster.clientOf(List.of(wiped));
    for (int k = 0; k < KEYS; k++) {
      GetResult local = own.localGet(0, BUCKET, "k" + k);
      assertThat(local.values()).as("%s's own copy of k%d", wiped, k).hasSize(1);
      assertThat(new String(local.values().get(0), UTF_8)).isEqualTo("v" + k);
    }
  }

  /** Partitions whose three owners' tree roots are not all equal or not all built. */
  private List<Integer> differing() {
    Map<Integer, List<Long>> roots = new HashMap<>();
    for (String id : cluster.ids()) {
      RepairStatus s = cluster.client().repairStatusAsync(cluster.index(id)).join();
      for (RepairStatus.Partition p : s.partitions()) {
        if (p.owned()) {
          roots.computeIfAbsent(p.partition(), x -> new ArrayList<>())
              .add(p.treeReady() ? p.root() : null);
        }
      }
    }
    List<Integer> out = new ArrayList<>();
    roots.forEach((p, list) -> {
      if (list.size() != 3 || list.contains(null) || list.stream().distinct().count() != 1) {
        out.add(p);
      }
    });
    return out;
  }

  private static void deleteRecursively(Path path) {
    try (Stream<Path> files = Files.walk(path)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

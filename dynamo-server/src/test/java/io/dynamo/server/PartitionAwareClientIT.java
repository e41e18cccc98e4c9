package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.ChangeKind;
import io.dynamo.client.ClusterPlan;
import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.DynamoException;
import io.dynamo.client.GetResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The partition-aware client on real nodes: requests go straight to a replica (no node forwards
 * one), and the client follows a join and a leave under load without an error reaching the caller.
 */
class PartitionAwareClientIT {
  private static final String BUCKET = "routed";

  @TempDir Path dir;

  @Test
  void requestsGoStraightToAReplicaAndNoNodeForwardsOne() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(5, dir, p -> p.setProperty("listen.metrics", "127.0.0.1:0"))) {
      DynamoClient client = cluster.partitionAwareClient(b -> {});
      client.mapLoaded().get(30, TimeUnit.SECONDS);
      assertThat(client.ringVersion()).isPositive();
      assertThat(client.mapMembers()).containsOnlyKeys("n1", "n2", "n3", "n4", "n5");
      long before = forwarded(cluster);
      for (int i = 0; i < 300; i++) {
        Context c = client.put(BUCKET, "k" + i, Context.NONE, ("v" + i).getBytes(UTF_8));
        GetResult r = client.get(BUCKET, "k" + i);
        assertThat(r.values()).hasSize(1);
        client.delete(BUCKET, "k" + i, r.context());
        assertThat(c).isNotNull();
      }
      assertThat(forwarded(cluster) - before).as("requests forwarded under client routing").isZero();

      // The control: the same requests through one node, which is no replica of most keys.
      DynamoClient viaOneNode = cluster.client(0);
      for (int i = 0; i < 100; i++) {
        viaOneNode.put(BUCKET, "s" + i, Context.NONE, ("v" + i).getBytes(UTF_8));
        viaOneNode.get(BUCKET, "s" + i);
      }
      assertThat(forwarded(cluster) - before).as("requests forwarded under server routing").isPositive();
    }
  }

  @Test
  void theClientFollowsAJoinAndALeaveUnderLoadWithoutErrors() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3, dir)) {
      DynamoClient client = DynamoClient.builder()
          .node(cluster.clientAddress(0)) // learns the others, and later n4, from the map
          .timeout(Duration.ofSeconds(20))
          .mapRefresh(Duration.ofSeconds(2))
          .build();
      try (client; Load load = new Load(client)) {
        client.mapLoaded().get(30, TimeUnit.SECONDS);
        long firstVersion = client.ringVersion();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> load.done.get() > 100);

        cluster.addNode(p -> {});
        DynamoClient admin = cluster.client(0);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(
            () -> admin.stageAsync(0, ChangeKind.JOIN, "n4").join().problems().isEmpty());
        ClusterPlan join = admin.planAsync(0).join();
        admin.commitAsync(0, join.planHash()).join();
        DynamoClient all = cluster.client(0);
        MembershipIT.awaitSettled(all, List.of(0));
        Awaitility.await("the client routes to n4").atMost(Duration.ofSeconds(30))
            .until(() -> client.mapMembers().containsKey("n4"));
        long afterJoin = load.done.get();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> load.done.get() > afterJoin + 100);

        ClusterPlan leave = admin.stageAsync(0, ChangeKind.LEAVE, "n2").join();
        assertThat(leave.problems()).isEmpty();
        admin.commitAsync(0, leave.planHash()).join();
        MembershipIT.awaitSettled(all, List.of(0));
        Awaitility.await("the client no longer routes to n2").atMost(Duration.ofSeconds(30))
            .until(() -> !client.mapMembers().containsKey("n2"));
        long afterLeave = load.done.get();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> load.done.get() > afterLeave + 100);

        assertThat(client.ringVersion()).isGreaterThan(firstVersion);
        load.stop();
        assertThat(load.errors).as("errors that reached the caller: %s", load.errors).isEmpty();
        // Everything acknowledged is readable through the client after the changes.
        for (Map.Entry<String, String> e : load.acknowledged.entrySet()) {
          GetResult r = client.get(BUCKET, e.getKey());
          assertThat(r.values().stream().map(v -> new String(v, UTF_8)))
              .as("key %s", e.getKey()).contains(e.getValue());
        }
      }
    }
  }

  /** Node-wide forwarded requests, summed over the cluster's metrics. */
  private static long forwarded(MiniCluster cluster) {
    long total = 0;
    for (int i = 0; i < cluster.size(); i++) {
      for (String line : cluster.scrapeMetrics(i).split("\n")) {
        if (line.startsWith("dynamo_requests_forwarded_total")) {
          total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return total;
  }

  /** Reads and rewrites keys in a loop through the client, recording what reached the caller. */
  private static final class Load implements AutoCloseable {
    final AtomicLong done = new AtomicLong();
    final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    final Map<String, String> errors = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Load(DynamoClient client) {
      thread = new Thread(() -> {
        for (int n = 0; running.get(); n++) {
          String key = "k" + (n % 200);
          String value = "w" + n;
          try {
            GetResult read = client.get(BUCKET, key);
            client.put(BUCKET, key, read.context(), value.getBytes(UTF_8));
            acknowledged.put(key, value);
            done.incrementAndGet();
          } catch (DynamoException e) {
            errors.put(key + "#" + n, e.code() + ": " + e.getMessage());
            acknowledged.remove(key);
          }
        }
      }, "routed-load");
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join();
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}

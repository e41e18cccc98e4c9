package io.dynamo.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dynamo.proto.v1.ClusterMapMember;
import io.dynamo.proto.v1.ClusterMapPartition;
import io.dynamo.proto.v1.ClusterMapResponse;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetResponse;
import io.dynamo.proto.v1.PutResponse;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Partition-aware routing against stand-in nodes that answer a cluster map of one partition (so
 * every key has the same owners): which node each request reaches, hedged gets, and a map reloaded
 * when answers carry a newer ring version.
 */
class RoutingTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();
  /** Requests each node received, by node name and request kind. */
  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  /** The map every node answers; tests swap it to change the ring. */
  private final AtomicReference<ClusterMapResponse> map = new AtomicReference<>();
  private final AtomicLong stampedVersion = new AtomicLong(1);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void getsGoToAReplicaAndWritesToTheFirstHomeReplica() throws Exception {
    ServerSocket n1 = node("n1", 0);
    ServerSocket n2 = node("n2", 0);
    ServerSocket n3 = node("n3", 0);
    map.set(map(1, List.of(n1, n2, n3), List.of(1, 2, 0), 2)); // home replicas: n2, n3
    try (DynamoClient client = DynamoClient.builder().node(FakeNode.address(n1)).build()) {
      client.mapLoaded().get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 30; i++) {
        client.put("b", "k" + i, Context.NONE, new byte[] {1});
        client.get("b", "k" + i);
      }
    }
    assertThat(count("n2", "PUT_REQUEST")).as("puts at the first home replica").isEqualTo(30);
    assertThat(count("n3", "PUT_REQUEST") + count("n1", "PUT_REQUEST")).isZero();
    assertThat(count("n2", "GET_REQUEST") + count("n3", "GET_REQUEST")).isEqualTo(30);
    assertThat(count("n2", "GET_REQUEST")).as("gets spread over the replicas").isPositive();
    assertThat(count("n3", "GET_REQUEST")).as("gets spread over the replicas").isPositive();
    assertThat(count("n1", "GET_REQUEST")).as("gets at a node that is no replica").isZero();
  }

  @Test
  void aNewerRingVersionInAnAnswerReloadsTheMap() throws Exception {
    ServerSocket n1 = node("n1", 0);
    ServerSocket n2 = node("n2", 0);
    map.set(map(1, List.of(n1, n2), List.of(0, 1), 1));
    try (DynamoClient client =
        DynamoClient.builder().node(FakeNode.address(n1)).mapRefresh(Duration.ofHours(1)).build()) {
      client.mapLoaded().get(10, TimeUnit.SECONDS);
      client.put("b", "k", Context.NONE, new byte[] {1});
      assertThat(count("n1", "PUT_REQUEST")).isEqualTo(1);
      // The ring changes: n2 now owns the partition, and answers say version 2.
      map.set(map(2, List.of(n1, n2), List.of(1, 0), 1));
      stampedVersion.set(2);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
        client.put("b", "k", Context.NONE, new byte[] {1});
        return client.ringVersion() == 2;
      });
      int before = count("n2", "PUT_REQUEST");
      client.put("b", "k", Context.NONE, new byte[] {1});
      assertThat(count("n2", "PUT_REQUEST")).isEqualTo(before + 1);
    }
  }

  @Test
  void aGetHedgedToTheSecondReplicaIsAnsweredByItWhileTheFirstIsSlowAndWritesAreNeverHedged()
      throws Exception {
    AtomicLong slowMillis = new AtomicLong();
    ServerSocket n1 = node("n1", slowMillis);
    ServerSocket n2 = node("n2", new AtomicLong());
    map.set(map(1, List.of(n1, n2), List.of(0, 1), 2));
    try (DynamoClient client =
        DynamoClient.builder()
            .node(FakeNode.address(n1))
            .timeout(Duration.ofSeconds(3))
            .hedgeReads(90, 0.2)
            .minHedgeDelay(Duration.ofMillis(20))
            .build()) {
      client.mapLoaded().get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 250; i++) {
        client.get("b", "k"); // fast: the latency window fills
      }
      slowMillis.set(1_000);
      // Enough gets for the latency window to hold a percentile (it rolls every second); each one
      // that goes to n1 first waits for the hedge or for n1.
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
        client.get("b", "k");
        return hedges(client, "won") >= 3;
      });
      double gets = client.meterRegistry().find("dynamo.client.requests").tag("op", "get").timer().count();
      double sent = hedges(client, "sent");
      assertThat(sent).as("hedges within the budget: 20%% of %s gets plus a burst of 20", gets)
          .isLessThanOrEqualTo(0.2 * gets + 20);
      // A hedged get answers with n2's value, not after n1's second.
      int n2Values = 0;
      for (int i = 0; i < 10; i++) {
        GetResult r = client.get("b", "k");
        n2Values += new String(r.value(), UTF_8).equals("n2") ? 1 : 0;
      }
      assertThat(n2Values).isPositive();

      double hedgesBefore = hedges(client, "sent");
      for (int i = 0; i < 3; i++) {
        // At n1, behind its slow gets: retried elsewhere after the attempt timeout, never hedged.
        client.put("b", "w" + i, Context.NONE, new byte[] {1});
      }
      assertThat(hedges(client, "sent")).isEqualTo(hedgesBefore);
    }
  }

  private static double hedges(DynamoClient client, String result) {
    var c = client.meterRegistry().find("dynamo.client.hedges").tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  private int count(String node, String kind) {
    AtomicInteger n = received.get(node + "/" + kind);
    return n == null ? 0 : n.get();
  }

  private ServerSocket node(String name, long delayMillis) throws Exception {
    return node(name, new AtomicLong(delayMillis));
  }

  /** A node that answers the current map, and gets (with its name as the value) and puts. */
  private ServerSocket node(String name, AtomicLong getDelayMillis) throws Exception {
    return FakeNode.start(pool, request -> {
      received.computeIfAbsent(name + "/" + request.getBodyCase(), k -> new AtomicInteger()).incrementAndGet();
      Envelope.Builder b = Envelope.newBuilder().setRequestId(request.getRequestId());
      switch (request.getBodyCase()) {
        case CLUSTER_MAP_REQUEST -> b.setClusterMapResponse(map.get());
        case GET_REQUEST -> {
          long delay = getDelayMillis.get();
          if (delay > 0) {
            try {
              Thread.sleep(delay); // the slow node under test, not the test waiting
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          b.setRingVersion(stampedVersion.get())
              .setGetResponse(GetResponse.newBuilder().addValues(ByteString.copyFromUtf8(name)));
        }
        case PUT_REQUEST -> b.setRingVersion(stampedVersion.get()).setPutResponse(PutResponse.getDefaultInstance());
        default -> {
          return null;
        }
      }
      return b.build();
    });
  }

  /** A map of one partition whose owners, in order, are {@code order} (indexes into nodes). */
  private static ClusterMapResponse map(
      long version, List<ServerSocket> nodes, List<Integer> order, int n) {
    ClusterMapResponse.Builder b =
        ClusterMapResponse.newBuilder().setRingVersion(version).setPartitions(1).setDefaultN(n);
    for (int i = 0; i < nodes.size(); i++) {
      b.addMembers(ClusterMapMember.newBuilder()
          .setNodeId("n" + (i + 1)).setClientAddress(FakeNode.address(nodes.get(i))).setUp(true));
    }
    return b.addOwners(ClusterMapPartition.newBuilder().addAllOwners(order)).build();
  }
}

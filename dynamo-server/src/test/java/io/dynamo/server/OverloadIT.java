package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.OverloadedException;
import io.dynamo.client.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client floods a node with far more requests than it admits; the node refuses the excess with
 * OVERLOADED instead of queueing it, stays up, and keeps serving a second, well-behaved client.
 */
class OverloadIT {
  private static final int FLOOD = 100_000;

  @TempDir static Path dir;
  static MiniCluster cluster;

  @BeforeAll
  static void start() {
    cluster = MiniCluster.start(3, dir);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aFloodFromOneClientIsShedAndAnotherClientIsStillServed() throws Exception {
    // The flooder waits as long as it takes: on a loaded machine its own queue of 100,000 requests
    // can take minutes to drain, and a client-side timeout would say nothing about the node.
    DynamoClient flooder =
        DynamoClient.builder()
            .routing(DynamoClient.Routing.SERVER)
            .node(cluster.clientAddress(0))
            .timeout(Duration.ofMinutes(10))
            .maxInFlightPerNode(FLOOD) // the node, not this client, is to shed the flood
            .build();
    DynamoClient polite =
        DynamoClient.builder()
            .routing(DynamoClient.Routing.SERVER)
            .node(cluster.clientAddress(0))
            .timeout(Duration.ofSeconds(10))
            .build();
    try (flooder; polite) {
      byte[] value = new byte[64];
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger overloaded = new AtomicInteger();
      AtomicInteger other = new AtomicInteger();
      java.util.Map<String, Integer> otherKinds = new java.util.concurrent.ConcurrentHashMap<>();
      List<CompletableFuture<?>> flood = new ArrayList<>(FLOOD);
      for (int i = 0; i < FLOOD; i++) {
        flood.add(
            flooder
                .putAsync("flood", ("k" + (i % 1000)).getBytes(UTF_8), Context.NONE, value, RequestOptions.DEFAULT)
                .whenComplete(
                    (c, e) -> {
                      if (e == null) {
                        ok.incrementAndGet();
                      } else if (unwrap(e) instanceof OverloadedException) {
                        overloaded.incrementAndGet();
                      } else {
                        other.incrementAndGet();
                        otherKinds.merge(
                            unwrap(e).getClass().getSimpleName() + ": " + unwrap(e).getMessage(), 1, Integer::sum);
                      }
                    }));
      }

      // While the flood is in flight, the other client's requests are answered, and correctly.
      for (int i = 0; i < 20; i++) {
        String key = "polite-" + i;
        polite.put("polite", key, Context.NONE, ("v" + i).getBytes(UTF_8));
        GetResult r = polite.get("polite", key);
        assertThat(new String(r.value(), UTF_8)).isEqualTo("v" + i);
      }

      CompletableFuture.allOf(flood.toArray(new CompletableFuture[0]))
          .exceptionally(e -> null)
          .get(10, TimeUnit.MINUTES);
      assertThat(ok.get() + overloaded.get() + other.get()).isEqualTo(FLOOD);
      assertThat(overloaded.get()).as("requests refused with OVERLOADED").isPositive();
      assertThat(ok.get()).as("requests served").isPositive();
      assertThat(other.get()).as("requests that failed otherwise: %s", otherKinds).isZero();
    }
    // The node let go of every slot: nothing leaked once the flood was answered.
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cluster.node(0).admittedInFlight() == 0);
    String metrics = cluster.scrapeMetrics(0);
    assertThat(metrics)
        .contains("dynamo_client_requests_in_flight{node=\"n1\"} 0.0")
        .containsPattern("dynamo_client_requests_shed_total\\{node=\"n1\",reason=\"[a-z_]+\"} [1-9]")
        .contains("# TYPE dynamo_missed_ack_hints_total counter")
        .contains("dynamo_pending_frame_bytes{budget=\"client\",node=\"n1\"}");
    DynamoClient after = cluster.client(0);
    after.put("polite", "after", Context.NONE, "x".getBytes(UTF_8));
  }

  private static Throwable unwrap(Throwable e) {
    while (e.getCause() != null
        && (e instanceof java.util.concurrent.CompletionException
            || e instanceof java.util.concurrent.ExecutionException)) {
      e = e.getCause();
    }
    return e;
  }
}

package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.Quorum;
import io.dynamo.proto.v1.StatusCode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's meters on four real nodes: forwarded requests counted exactly (the figure that shows a
 * partition-aware client forwards nothing), request timers by operation, bucket and outcome, and
 * the Grafana dashboard reading only series a node actually exposes.
 */
class NodeMetricsIT {
  private static final int NODES = 4;
  private static final String TIMED = "timed";
  private static final String DIRECT = "direct";
  private static final String INDIRECT = "indirect";
  private static final List<String> OPS = List.of("get", "put", "delete");

  @TempDir static Path dir;
  private static MiniCluster cluster;

  @BeforeAll
  static void start() {
    cluster = MiniCluster.start(NODES, dir, p -> p.setProperty("metrics.buckets", TIMED + "," + DIRECT + "," + INDIRECT));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Requests sent to one of the key's replicas go to bucket {@value #DIRECT}, those sent to a node
   * that holds no replica to bucket {@value #INDIRECT}. Each node's forwarded count must grow by
   * exactly the {@value #INDIRECT} requests it answered (its timers count those, retries by the
   * client included), whatever the {@value #DIRECT} ones did.
   */
  @Test
  void requestsSentToAReplicaAreNotForwardedAndOthersAreCountedOnceEach() {
    Ring ring = ring();
    long[][] forwardedBefore = new long[NODES][];
    long[][] indirectBefore = new long[NODES][];
    long[][] directBefore = new long[NODES][];
    for (int i = 0; i < NODES; i++) {
      forwardedBefore[i] = forwarded(i);
      indirectBefore[i] = answered(i, INDIRECT);
      directBefore[i] = answered(i, DIRECT);
    }
    for (int k = 0; k < 12; k++) {
      String key = "key-" + k;
      // The ring places a key by bucket and key: each bucket's key has replicas of its own.
      List<NodeId> directReplicas = ring.preferenceList(DIRECT, key.getBytes(UTF_8), 3);
      DynamoClient direct = cluster.client(index(directReplicas.get(k % 3)));
      DynamoClient indirect =
          cluster.client(outsider(ring.preferenceList(INDIRECT, key.getBytes(UTF_8), 3)));

      Context d = direct.put(DIRECT, key, Context.NONE, "direct".getBytes(UTF_8));
      direct.get(DIRECT, key);
      direct.delete(DIRECT, key, d);
      Context c = indirect.put(INDIRECT, key, Context.NONE, "indirect".getBytes(UTF_8));
      indirect.get(INDIRECT, key);
      indirect.delete(INDIRECT, key, c);
    }
    long[] directTotal = new long[3];
    long[] indirectTotal = new long[3];
    for (int i = 0; i < NODES; i++) {
      long[] forwardedNow = forwarded(i);
      long[] indirectNow = answered(i, INDIRECT);
      long[] directNow = answered(i, DIRECT);
      for (int op = 0; op < 3; op++) {
        // Counted before the answer left the node, and timed as it left: both are in by now.
        assertThat(forwardedNow[op] - forwardedBefore[i][op])
            .as("forwarded %s on %s", OPS.get(op), MiniCluster.id(i))
            .isEqualTo(indirectNow[op] - indirectBefore[i][op]);
        directTotal[op] += directNow[op] - directBefore[i][op];
        indirectTotal[op] += indirectNow[op] - indirectBefore[i][op];
      }
    }
    assertThat(java.util.Arrays.stream(directTotal).min().orElseThrow()).as("requests sent to replicas, answered ok")
        .isGreaterThanOrEqualTo(12L);
    assertThat(java.util.Arrays.stream(indirectTotal).min().orElseThrow()).as("requests sent to other nodes, answered ok")
        .isGreaterThanOrEqualTo(12L);
  }

  @Test
  void requestsAreTimedByOperationBucketAndOutcome() throws IOException {
    DynamoClient client = cluster.client(0);
    for (int k = 0; k < 5; k++) {
      Context c = client.put(TIMED, "t" + k, Context.NONE, "v".getBytes(UTF_8));
      client.get(TIMED, "t" + k);
      client.delete(TIMED, "t" + k, c);
      client.put("not-configured-" + k, "t", Context.NONE, "v".getBytes(UTF_8));
    }
    try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
      raw.send(
          Envelope.newBuilder()
              .setProtocolVersion(1)
              .setRequestId(1)
              .setGetRequest(
                  GetRequest.newBuilder()
                      .setBucket(TIMED)
                      .setKey(ByteString.copyFromUtf8("t0"))
                      .setQuorum(Quorum.newBuilder().setR(9)))
              .build());
      assertThat(raw.receive().getError().getCode()).isEqualTo(StatusCode.INVALID_ARGUMENT);
    }
    MeterRegistry registry = cluster.node(0).meterRegistry();
    // Recorded before the answer is written, so every answered request is in already.
    for (String op : List.of("get", "put", "delete")) {
      Timer t = timer(registry, op, TIMED, "ok");
      assertThat(t.count()).as(op).isGreaterThanOrEqualTo(5); // more if the client retried
      ValueAtPercentile[] percentiles = t.takeSnapshot().percentileValues();
      assertThat(percentiles).extracting(ValueAtPercentile::percentile).containsExactly(0.5, 0.99, 0.999);
      assertThat(percentiles[0].value()).isPositive();
    }
    assertThat(timer(registry, "get", TIMED, "invalid_argument").count()).isOne();
    assertThat(timer(registry, "put", "unknown", "ok").count()).isGreaterThanOrEqualTo(5);
    assertThat(registry.find("dynamo.requests").tag("bucket", "not-configured-0").meters())
        .as("a bucket name a client made up creates no meter")
        .isEmpty();
    assertThat(cluster.scrapeMetrics(0))
        .contains("dynamo_requests_seconds_bucket{bucket=\"timed\",node=\"n1\",op=\"put\",outcome=\"ok\",le=")
        .contains("# TYPE dynamo_requests_seconds histogram");
  }

  @Test
  void everySeriesTheGrafanaDashboardReadsIsExposed() throws IOException {
    DynamoClient client = cluster.client(1);
    Context c = client.put("grafana", "k", Context.NONE, "v".getBytes(UTF_8));
    client.get("grafana", "k");
    client.delete("grafana", "k", c);
    String json =
        Files.readString(Path.of("..", "deploy", "grafana", "dynamo-dashboard.json"), UTF_8);
    Set<String> used = new TreeSet<>();
    Matcher expr = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    while (expr.find()) {
      Matcher name = Pattern.compile("\\b(?:dynamo|jvm|process|system)_[a-z0-9_]+").matcher(expr.group(1));
      while (name.find()) {
        used.add(name.group());
      }
    }
    assertThat(used).as("series the dashboard reads").hasSizeGreaterThan(20);
    Set<String> exposed = new TreeSet<>();
    for (String line : cluster.scrapeMetrics(1).split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        exposed.add(line.split("[{ ]", 2)[0]);
      }
    }
    assertThat(exposed).containsAll(used);
  }

  private static Timer timer(MeterRegistry registry, String op, String bucket, String outcome) {
    return registry.get("dynamo.requests")
        .tag("op", op).tag("bucket", bucket).tag("outcome", outcome).timer();
  }

  /** Node {@code node}'s forwarded get, put, delete. */
  private static long[] forwarded(int node) {
    MeterRegistry r = cluster.node(node).meterRegistry();
    long[] out = new long[3];
    for (int i = 0; i < 3; i++) {
      out[i] = (long) r.get("dynamo.requests.forwarded").tag("op", OPS.get(i)).functionCounter().count();
    }
    return out;
  }

  /** The gets, puts and deletes of {@code bucket} node {@code node} answered ok. */
  private static long[] answered(int node, String bucket) {
    MeterRegistry r = cluster.node(node).meterRegistry();
    long[] out = new long[3];
    for (int i = 0; i < 3; i++) {
      Timer t =
          r.find("dynamo.requests").tag("op", OPS.get(i)).tag("bucket", bucket).tag("outcome", "ok").timer();
      out[i] = t == null ? 0 : t.count();
    }
    return out;
  }

  /** The ring every node computes from the MiniCluster's configuration. */
  private static Ring ring() {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      members.add(Member.of(MiniCluster.id(i), 1));
    }
    return Ring.create(members, 64, 3);
  }

  private static int index(NodeId node) {
    for (int i = 0; i < NODES; i++) {
      if (MiniCluster.id(i).equals(node.value())) {
        return i;
      }
    }
    throw new AssertionError("no node " + node);
  }

  private static int outsider(List<NodeId> replicas) {
    for (int i = 0; i < NODES; i++) {
      if (!replicas.contains(NodeId.of(MiniCluster.id(i)))) {
        return i;
      }
    }
    throw new AssertionError("every node is a replica of " + replicas);
  }
}

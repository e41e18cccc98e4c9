package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code read.fanout=quorum} on three real nodes: gets ask two replicas, and when one of them has
 * silently gone (stopped, not yet suspected: the failure detector is told to tolerate a minute of
 * silence) a speculative read of the third answers the get instead of the request timeout.
 */
class QuorumReadsIT {
  private static final String BUCKET = "quorum";
  private static final int KEYS = 40;

  @TempDir Path dir;

  private static final Consumer<Properties> QUORUM_READS = p -> {
    p.setProperty("read.fanout", "quorum");
    p.setProperty("failure-detector.acceptable-pause", "60s");
    p.setProperty("request.timeout", "3s");
  };

  @Test
  void aGetWhoseSecondReplicaIsSilentlyGoneIsAnsweredByASpeculativeRead() {
    try (MiniCluster cluster = MiniCluster.start(3, dir, QUORUM_READS)) {
      DynamoClient client = cluster.client(0);
      for (int k = 0; k < KEYS; k++) {
        client.put(BUCKET, key(k), Context.NONE, value(k));
      }
      for (int k = 0; k < KEYS; k++) {
        assertThat(text(client.get(BUCKET, key(k)))).isEqualTo("value-" + k);
      }
      long before = speculativeReads(cluster, 0);

      // n3 stops; n1 still believes it up, so about half the gets n1 coordinates ask n3 for the
      // digest they need and never hear back. Without a speculative read each of those would fail
      // at the 3 s request timeout (read.speculative-retry=never does).
      cluster.stopNode(2);
      for (int k = 0; k < KEYS; k++) {
        assertThat(text(client.get(BUCKET, key(k)))).as("key %d", k).isEqualTo("value-" + k);
      }
      assertThat(speculativeReads(cluster, 0) - before)
          .as("gets that asked n3 were answered through n2")
          .isPositive();
      assertThat(cluster.scrapeMetrics(0)).contains("dynamo_reads_speculative_total");
    }
  }

  private static long speculativeReads(MiniCluster cluster, int node) {
    return (long) cluster.node(node).meterRegistry().get("dynamo.reads.speculative").functionCounter().count();
  }

  private static String text(GetResult r) {
    assertThat(r.values()).hasSize(1);
    return new String(r.value(), UTF_8);
  }

  private static String key(int k) {
    return "key-" + k;
  }

  private static byte[] value(int k) {
    return ("value-" + k).getBytes(UTF_8);
  }
}

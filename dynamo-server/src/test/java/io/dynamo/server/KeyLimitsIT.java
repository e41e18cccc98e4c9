package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.DynamoException;
import io.dynamo.client.GetResult;
import io.dynamo.client.RequestOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-bucket sibling and record-size limits, through real nodes. */
class KeyLimitsIT {
  @TempDir static Path dir;
  static MiniCluster cluster;
  static DynamoClient client;

  @BeforeAll
  static void start() {
    cluster =
        MiniCluster.start(
            3,
            dir,
            p -> {
              p.setProperty("bucket.few.siblings-warn", "3");
              p.setProperty("bucket.few.siblings-max", "5");
              p.setProperty("bucket.small.max-value-size", "64KiB");
              p.setProperty("bucket.small.record-max-size", "100KiB");
            });
    client = cluster.client(0);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void theWritePastTheSiblingLimitIsRefusedAndAPutWithTheContextResolvesTheKey() {
    for (int i = 0; i < 5; i++) {
      cluster.client(i % 3).put("few", "cart", Context.NONE, ("v" + i).getBytes(UTF_8));
    }
    assertThatThrownBy(() -> client.put("few", "cart", Context.NONE, "v5".getBytes(UTF_8)))
        .isInstanceOf(DynamoException.class)
        .satisfies(e -> assertThat(((DynamoException) e).code()).isEqualTo("TOO_MANY_SIBLINGS"))
        .hasMessageContaining("nothing was stored");

    GetResult r = client.get("few", "cart".getBytes(UTF_8), RequestOptions.r(3));
    assertThat(r.values()).hasSize(5);
    client.put("few", "cart", r.context(), "merged".getBytes(UTF_8));
    GetResult after = client.get("few", "cart".getBytes(UTF_8), RequestOptions.r(3));
    assertThat(after.values()).hasSize(1);
    assertThat(new String(after.value(), UTF_8)).isEqualTo("merged");
  }

  @Test
  void aRecordOverTheSizeLimitIsRefused() {
    byte[] big = new byte[60 * 1024];
    client.put("small", "k", Context.NONE, big);
    assertThatThrownBy(() -> client.put("small", "k", Context.NONE, big))
        .isInstanceOf(DynamoException.class)
        .satisfies(e -> assertThat(((DynamoException) e).code()).isEqualTo("RECORD_TOO_LARGE"));
    assertThat(client.get("small", "k".getBytes(UTF_8), RequestOptions.r(3)).values()).hasSize(1);
  }
}

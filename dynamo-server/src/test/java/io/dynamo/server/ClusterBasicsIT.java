package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.InvalidRequestException;
import io.dynamo.client.RequestOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the shared scenarios do not cover on three real nodes in one JVM: deletes without a context,
 * per-request quorums, last-write-wins buckets, bucket-name validation. Round trips, overwrites,
 * deletes and siblings are in {@code io.dynamo.testkit.BasicScenarios} and {@code SiblingScenarios},
 * bound here by {@code io.dynamo.server.scenarios.MiniCluster*ScenariosIT}.
 */
class ClusterBasicsIT {
  @TempDir static Path dir;
  static MiniCluster cluster;
  static DynamoClient client;

  @BeforeAll
  static void start() {
    cluster = MiniCluster.start(3, dir, p -> p.setProperty("bucket.lww.conflict", "last-write-wins"));
    client = cluster.client(0);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void deleteWithoutContextReadsFirst() {
    client.put("basics", "blind-delete", Context.NONE, "x".getBytes(UTF_8));
    client.delete("basics", "blind-delete", Context.NONE);
    assertThat(client.get("basics", "blind-delete".getBytes(UTF_8), RequestOptions.r(3)).found())
        .isFalse();
  }

  @Test
  void perRequestQuorumsAreApplied() {
    client.put("basics", "q".getBytes(UTF_8), Context.NONE, "v".getBytes(UTF_8), RequestOptions.w(3));
    for (int i = 0; i < 3; i++) {
      assertThat(cluster.client(i).get("basics", "q".getBytes(UTF_8), RequestOptions.r(1)).found())
          .isTrue();
    }
    assertThatThrownBy(
            () -> client.get("basics", "q".getBytes(UTF_8), RequestOptions.r(4)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("r=4");
  }

  @Test
  void lastWriteWinsBucketKeepsOneValue() {
    cluster.client(0).put("lww", "k", Context.NONE, "first".getBytes(UTF_8));
    cluster.client(1).put("lww", "k", Context.NONE, "second".getBytes(UTF_8));
    GetResult r = client.get("lww", "k".getBytes(UTF_8), RequestOptions.r(3));
    assertThat(r.values()).hasSize(1);
  }

  @Test
  void invalidBucketNameIsRefused() {
    assertThatThrownBy(() -> client.get("bad bucket!", "k"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("invalid bucket name");
  }

  static List<String> strings(List<byte[]> values) {
    return values.stream().map(v -> new String(v, UTF_8)).collect(Collectors.toList());
  }
}

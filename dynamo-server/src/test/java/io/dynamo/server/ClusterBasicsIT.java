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

/** Get, put, delete, quorums and siblings on three real nodes in one JVM. */
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
  void putThenGetFromEveryNode() {
    client.put("basics", "k1", Context.NONE, "v1".getBytes(UTF_8));
    for (int i = 0; i < cluster.size(); i++) {
      GetResult r = cluster.client(i).get("basics", "k1");
      assertThat(new String(r.value(), UTF_8)).isEqualTo("v1");
    }
  }

  @Test
  void absentKeyHasNoValuesAndNoContext() {
    GetResult r = client.get("basics", "never-written");
    assertThat(r.found()).isFalse();
    assertThat(r.context().isEmpty()).isTrue();
  }

  @Test
  void concurrentBlindWritesBecomeSiblingsAndAMergedWriteResolvesThem() {
    cluster.client(0).put("basics", "cart", Context.NONE, "apple".getBytes(UTF_8));
    cluster.client(1).put("basics", "cart", Context.NONE, "banana".getBytes(UTF_8));
    GetResult r = client.get("basics", "cart".getBytes(UTF_8), RequestOptions.r(3));
    assertThat(strings(r.values())).containsExactlyInAnyOrder("apple", "banana");

    client.put("basics", "cart", r.context(), "apple,banana".getBytes(UTF_8));
    GetResult resolved = client.get("basics", "cart".getBytes(UTF_8), RequestOptions.r(3));
    assertThat(strings(resolved.values())).containsExactly("apple,banana");
  }

  @Test
  void writeWithContextReplacesTheValueRead() {
    Context c1 = client.put("basics", "counter", Context.NONE, "1".getBytes(UTF_8));
    client.put("basics", "counter", c1, "2".getBytes(UTF_8));
    assertThat(strings(client.get("basics", "counter").values())).containsExactly("2");
  }

  @Test
  void deleteRemovesTheValueAndAWriteAfterItWins() {
    client.put("basics", "gone", Context.NONE, "x".getBytes(UTF_8));
    GetResult before = client.get("basics", "gone");
    client.delete("basics", "gone", before.context());
    GetResult after = client.get("basics", "gone".getBytes(UTF_8), RequestOptions.r(3));
    assertThat(after.found()).isFalse();
    assertThat(after.deleted()).isTrue();

    client.put("basics", "gone", after.context(), "back".getBytes(UTF_8));
    assertThat(strings(client.get("basics", "gone").values())).containsExactly("back");
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

package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.ChangeKind;
import io.dynamo.client.ClusterPlan;
import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.DynamoException;
import io.dynamo.client.GetResult;
import io.dynamo.client.RingLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live cluster grows and shrinks: a node started with seeds joins through a staged, planned and
 * committed change and receives only its share of partition copies, streamed while writes go on;
 * then an original member leaves. Every acknowledged write ends on every current owner's own copy.
 */
class MembershipIT {
  private static final int Q = 64;
  private static final String BUCKET = "grow";

  @TempDir Path dir;

  @Test
  void aJoinAndALeaveUnderWritesLoseNothingAndMoveOnlyTheirShare() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3, dir)) {
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      try (DynamoClient c = cluster.client(0)) {
        for (int i = 0; i < 300; i++) {
          c.put(BUCKET, "k" + i, Context.NONE, ("v" + i).getBytes(UTF_8));
          acknowledged.put("k" + i, "v" + i);
        }
      }
      int n4 = cluster.addNode(p -> {});
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        addresses.add(cluster.clientAddress(i));
      }
      DynamoClient all = clientOf(addresses);
      try (all; Writer writer = new Writer(cluster.clientAddress(0), acknowledged)) {
        // n1 is the claimant (the smallest valid id).
        DynamoClient admin = cluster.client(0);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(
            () -> admin.stageAsync(0, ChangeKind.JOIN, "n4").join().problems().isEmpty());
        ClusterPlan join = admin.planAsync(0).join();
        assertThat(join.moves()).as("a quarter of the %d copies, all to n4", Q * 3)
            .hasSize(Q * 3 / 4)
            .allSatisfy(m -> assertThat(m.to()).isEqualTo("n4"));
        long version = admin.commitAsync(0, join.planHash()).join();
        assertThat(version).isEqualTo(join.ringVersion() + 1);
        RingLayout joined = awaitSettled(all, List.of(0, 1, 2, 3));
        assertThat(copiesOf(joined, "n4")).isEqualTo(Q * 3 / 4);
        writer.stop();
        checkEveryOwnerHoldsEveryWrite(all, acknowledged);
      }

      DynamoClient all2 = clientOf(addresses);
      try (all2; Writer writer = new Writer(cluster.clientAddress(0), acknowledged)) {
        DynamoClient admin = cluster.client(0);
        ClusterPlan leave = admin.stageAsync(0, ChangeKind.LEAVE, "n2").join();
        assertThat(leave.problems()).isEmpty();
        assertThat(leave.moves()).allSatisfy(m -> assertThat(m.from()).isEqualTo("n2"));
        admin.commitAsync(0, leave.planHash()).join();
        RingLayout left = awaitSettled(all2, List.of(0, 1, 2, 3));
        assertThat(copiesOf(left, "n2")).isZero();
        assertThat(left.members()).anySatisfy(m -> {
          assertThat(m.nodeId()).isEqualTo("n2");
          assertThat(m.status()).isEqualTo("removed");
        });
        writer.stop();
        checkEveryOwnerHoldsEveryWrite(all2, acknowledged);
      }
      assertThat(n4).isEqualTo(3);
    }
  }

  /** Waits until the nodes' rings agree and have no moves under way; returns that ring. */
  static RingLayout awaitSettled(DynamoClient all, List<Integer> nodes) {
    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> {
          RingLayout ring = all.ringAsync(nodes.get(0)).join();
          if (!ring.pendingMoves().isEmpty()) {
            return false;
          }
          for (int n : nodes) {
            if (all.ringAsync(n).join().version() != ring.version()) {
              return false;
            }
          }
          return true;
        });
    return all.ringAsync(nodes.get(0)).join();
  }

  private static int copiesOf(RingLayout ring, String node) {
    int n = 0;
    for (RingLayout.Partition p : ring.partitions()) {
      if (p.owners().contains(node)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Every acknowledged write (the last value acknowledged for each key) is in the own copy of each
   * of the key's owners, as node 0 routes it. Handoff of hints may still be delivering: wait.
   */
  private static void checkEveryOwnerHoldsEveryWrite(DynamoClient all, Map<String, String> acknowledged) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          List<String> missing = new ArrayList<>();
          for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            for (var owner : all.route(0, BUCKET, e.getKey()).preferenceList()) {
              int index = Integer.parseInt(owner.nodeId().substring(1)) - 1;
              GetResult local = all.localGetAsync(index, BUCKET, e.getKey().getBytes(UTF_8)).join();
              boolean has = local.values().stream()
                  .anyMatch(v -> new String(v, UTF_8).equals(e.getValue()));
              if (!has) {
                missing.add(e.getKey() + "@" + owner.nodeId());
              }
            }
          }
          assertThat(missing).as("acknowledged writes missing from an owner's copy").isEmpty();
        });
  }

  private static DynamoClient clientOf(List<String> addresses) {
    DynamoClient.Builder b = DynamoClient.builder().timeout(Duration.ofSeconds(5));
    addresses.forEach(b::node);
    return b.build();
  }

  /** Overwrites keys blindly while a move runs, recording the writes acknowledged. */
  private static final class Writer implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Writer(String address, Map<String, String> acknowledged) {
      thread = new Thread(() -> {
        try (DynamoClient c = clientOf(List.of(address))) {
          for (int n = 0; running.get(); n++) {
            String key = "k" + (n % 300);
            String value = "w" + n;
            try {
              GetResult read = c.get(BUCKET, key);
              c.put(BUCKET, key, read.context(), value.getBytes(UTF_8));
              acknowledged.put(key, value);
            } catch (DynamoException e) {
              // May or may not have been applied: nothing to expect of this key any more.
              acknowledged.remove(key);
            }
          }
        }
      }, "membership-writer");
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

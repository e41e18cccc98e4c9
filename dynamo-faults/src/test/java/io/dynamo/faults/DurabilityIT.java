package io.dynamo.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.testkit.AcknowledgedWrites;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * No acknowledged write is lost when every node dies at once: each cycle writes a batch of keys
 * with W=2, kills every node with {@code kill -9} right away, starts them all again and checks
 * with R=3 reads that every acknowledged write (of this cycle and all before) is there. Three
 * cycles by default; {@code -Dfaults.cycles=50} for a soak. With the write-ahead log off the same
 * checker must report the loss.
 */
class DurabilityIT {
  private static final String BUCKET = "faults";
  private static final int BATCH = 300;

  private ProcessCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyAcknowledgedWriteSurvivesKillingEveryNode() {
    cluster = ProcessCluster.builder().name("durability").nodes(5).start();
    AcknowledgedWrites history = new AcknowledgedWrites(BUCKET);
    int cycles = Integer.getInteger("faults.cycles", 3);
    for (int cycle = 1; cycle <= cycles; cycle++) {
      List<String> violations = cycle(history, cycle);
      assertThat(violations).as("cycle %d of %d: acknowledged writes lost", cycle, cycles).isEmpty();
    }
    assertThat(history.size()).isGreaterThan(0);
  }

  @Test
  void withoutTheWriteAheadLogTheCheckerReportsLostWrites() {
    cluster = ProcessCluster.builder().name("durability-nowal").nodes(5).set("storage.wal", "false").start();
    AcknowledgedWrites history = new AcknowledgedWrites(BUCKET);
    List<String> violations = cycle(history, 1);
    assertThat(history.size()).isGreaterThan(0);
    assertThat(violations).as("writes lost with storage.wal=false").isNotEmpty();
    assertThat(violations).allSatisfy(v -> assertThat(v).startsWith("lost: "));
  }

  /** Writes a batch, kills every node, restarts them all; returns the checker's report. */
  private List<String> cycle(AcknowledgedWrites history, int cycle) {
    // Overwrite some keys of the previous cycle too, so replaced versions are checked.
    List<String> keys = Keys.range("d", BATCH * cycle).subList(BATCH * (cycle - 1) / 2, BATCH * cycle);
    new Writer(cluster.client(), history, 2, 16).write(keys, "cycle-" + cycle);
    cluster.killAll();
    cluster.startAgain();
    Conditions.awaitSeen(cluster, cluster.ids(), cluster.ids(), true, Duration.ofSeconds(30));
    return new DurabilityChecker(cluster, 3).violations(history);
  }
}

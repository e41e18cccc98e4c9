package io.dynamo.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamo.testkit.AcknowledgedWrites;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node is paused with SIGSTOP for longer than the failure detector's threshold: it keeps its
 * sockets open and answers nothing, like a long GC pause. Writes with W=2 to keys it is a home
 * replica of keep succeeding throughout; the other nodes see it down; after SIGCONT it catches up
 * through hints, so its own copies hold the writes made while it was paused.
 *
 * <p>Keys whose first home replica is another node are the shared {@code
 * io.dynamo.testkit.PauseScenarios} ({@code scenarios.ProcessPauseScenariosIT} here). This class
 * writes keys whose first home replica is the paused node, which only real processes show well. A node that is not a key's home replica forwards a write to the
 * first home replica it believes up; until the detector notices the pause, that is the paused
 * node. The forwarder then sends the same write (same write id) to the next home replica after
 * {@code request.forward-retry}, so the write succeeds there; when the paused node resumes it
 * refuses the forwards that waited for it past their deadline, and the copies it had already made
 * are united with their twins, so no write is stored twice (see docs/decisions/0006-write-ids.md).
 */
class PauseIT {
  private static final String BUCKET = "faults";
  private static final String VICTIM = "n3";

  private ProcessCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void writesWhoseFirstHomeReplicaIsPausedKeepSucceeding() {
    cluster = ProcessCluster.builder().name("pause-first").nodes(5).start();
    run(Keys.homed(cluster, BUCKET, "q", 40, h -> h.get(0).equals(VICTIM)));
  }

  private void run(List<String> keys) {
    List<String> others = new ArrayList<>(cluster.ids());
    others.remove(VICTIM);
    AcknowledgedWrites history = new AcknowledgedWrites(BUCKET);
    Writer writer = new Writer(cluster.clientOf(others), history, 2, 8);
    assertThat(writer.write(keys, "before")).isEmpty();

    cluster.pause(VICTIM);
    List<String> failures = new ArrayList<>();
    AtomicInteger round = new AtomicInteger();
    // Write round after round until every other node sees the paused one down.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .until(() -> {
          failures.addAll(writer.write(keys, "paused-" + round.incrementAndGet()));
          return Conditions.seen(cluster, others, List.of(VICTIM), false);
        });
    // And some more while it is known to be down, so substitutes take them as hints.
    for (int i = 0; i < 3; i++) {
      failures.addAll(writer.write(keys, "paused-" + round.incrementAndGet()));
    }
    assertThat(failures).as("writes while " + VICTIM + " is paused").isEmpty();
    HintQueueChecker hints = new HintQueueChecker(cluster);
    assertThat(hints.count(others, VICTIM)).as("hints for the paused node").isGreaterThan(0);

    cluster.resume(VICTIM);
    Conditions.awaitSeen(cluster, others, List.of(VICTIM), true, Duration.ofSeconds(30));
    assertThat(Conditions.settle(() -> hints.violations(cluster.ids(), List.of(VICTIM)), Duration.ofSeconds(60)))
        .as("hints left undelivered")
        .isEmpty();
    HomeReplicaChecker homes = new HomeReplicaChecker(cluster);
    assertThat(Conditions.settle(() -> homes.violations(history, List.of(VICTIM)), Duration.ofSeconds(30)))
        .as(VICTIM + "'s copies after it resumed")
        .isEmpty();
  }
}

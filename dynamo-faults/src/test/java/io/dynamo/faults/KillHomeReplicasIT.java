package io.dynamo.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Route;
import io.dynamo.testkit.AcknowledgedWrites;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two of a key's three home replicas die ({@code kill -9}) in a 5-node cluster: writes with W=2 go
 * on through substitutes, which keep hints; once the two are back, the hints are delivered and the
 * home replicas hold the latest values. With handoff switched off the same checker must report
 * the stale replicas.
 */
class KillHomeReplicasIT {
  private static final String BUCKET = "faults";
  private static final int KEYS = 40;

  private ProcessCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void writesGoOnAndHintsReachTheHomeReplicasWhenTheyAreBack() {
    cluster = ProcessCluster.builder().name("kill-home").nodes(5).start();
    Outcome outcome = run(Duration.ofSeconds(60));

    assertThat(outcome.hintsQueued).as("hints queued for the dead replicas").isGreaterThan(0);
    assertThat(outcome.hintViolations).as("hints left undelivered").isEmpty();
    assertThat(outcome.homeViolations).as("home replicas missing the latest values").isEmpty();
  }

  @Test
  void withoutHandoffTheCheckerReportsTheStaleHomeReplicas() {
    cluster =
        ProcessCluster.builder().name("kill-home-nohandoff").nodes(5).set("handoff.enabled", "false")
            // Anti-entropy would repair the stale replicas too; this run shows the checker sees them.
            .set("anti-entropy.enabled", "false").start();
    Outcome outcome = run(Duration.ofSeconds(5));

    assertThat(outcome.hintsQueued).isGreaterThan(0);
    assertThat(outcome.hintViolations).as("hints stay queued").isNotEmpty();
    // Each key has both dead replicas as home replicas, and each missed the second write.
    assertThat(outcome.homeViolations)
        .hasSize(2 * KEYS)
        .allSatisfy(v -> assertThat(v).contains("is stale on"));
  }

  private record Outcome(long hintsQueued, List<String> hintViolations, List<String> homeViolations) {}

  /** The scenario; {@code settle} bounds the wait for hints and home replicas after the restart. */
  private Outcome run(Duration settle) {
    String probe = "k-0";
    List<String> home = cluster.homeReplicas(BUCKET, probe);
    // The ring computed here is the one the nodes use.
    Route route = cluster.client().route(0, BUCKET, probe);
    assertThat(route.preferenceList().stream().map(Route.Node::nodeId).toList()).isEqualTo(home);

    List<String> victims = List.of(home.get(0), home.get(1));
    List<String> survivors = new ArrayList<>(cluster.ids());
    survivors.removeAll(victims);
    List<String> keys =
        Keys.homed(cluster, BUCKET, "k", KEYS, h -> h.containsAll(victims));
    assertThat(keys).contains(probe);

    AcknowledgedWrites history = new AcknowledgedWrites(BUCKET);
    assertThat(new Writer(cluster.client(), history, 2, 8).write(keys, "before")).isEmpty();

    for (String victim : victims) {
      cluster.kill(victim);
    }
    Conditions.awaitSeen(cluster, survivors, victims, false, Duration.ofSeconds(30));

    List<String> failed = new Writer(cluster.clientOf(survivors), history, 2, 8).write(keys, "during");
    assertThat(failed).as("writes with two home replicas dead").isEmpty();
    HintQueueChecker hints = new HintQueueChecker(cluster);
    long queued = hints.count(survivors, victims.get(0)) + hints.count(survivors, victims.get(1));

    for (String victim : victims) {
      cluster.restart(victim);
    }
    Conditions.awaitSeen(cluster, cluster.ids(), victims, true, Duration.ofSeconds(30));

    List<String> hintViolations = Conditions.settle(() -> hints.violations(cluster.ids(), victims), settle);
    HomeReplicaChecker homes = new HomeReplicaChecker(cluster);
    List<String> homeViolations = Conditions.settle(() -> homes.violations(history, victims), settle);
    return new Outcome(queued, hintViolations, homeViolations);
  }
}

package io.dynamo.testkit;

import static io.dynamo.testkit.Bytes.NO_CONTEXT;
import static io.dynamo.testkit.Bytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.testkit.ClusterDriver.Capability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The failure path: a node killed, writes with W = 2 going on through a sloppy quorum, the node
 * back, hints handed to it and every acknowledged write in each home replica's own copy; and a
 * quorum that cannot be reached is a typed error. Each test starts its own cluster.
 *
 * <p>4 nodes, N = 3: the fourth node is the substitute that keeps the hints of the killed home
 * replica. With 3 nodes there is no substitute, no hint is kept for a home believed down, and only
 * read repair (or, later, anti-entropy) would bring it the writes it missed.
 */
public abstract class FailurePathScenarios {
  protected static final String BUCKET = "scenarios";
  private static final int KEYS = 20;
  /** Long enough for a real cluster on a loaded machine; simulated clusters need far less. */
  protected static final Duration SETTLE = Duration.ofSeconds(60);

  protected abstract ClusterDriver newDriver(ClusterSpec spec);

  @Test
  void writesGoOnWhileANodeIsDownAndReachItsOwnCopyWhenItIsBack() {
    try (ClusterDriver driver = newDriver(ClusterSpec.of(4, "kill-one",
        Capability.KILL_RESTART, Capability.FAILURE_VIEW, Capability.HINTS, Capability.LOCAL_GET))) {
      String victim = driver.nodes().get(0);
      List<String> survivors = new ArrayList<>(driver.nodes());
      survivors.remove(victim);
      List<String> keys = keysHomedOn(driver, victim, KEYS);

      AcknowledgedWrites history = new AcknowledgedWrites(BUCKET);
      for (int i = 0; i < keys.size(); i++) {
        history.put(driver, driver.nodes().get(i % 4), keys.get(i), keys.get(i) + "@before", 2)
            .orFail("put before the kill");
      }

      driver.kill(victim);
      awaitView(driver, survivors, victim, false);
      for (int i = 0; i < keys.size(); i++) {
        history.put(driver, survivors.get(i % survivors.size()), keys.get(i), keys.get(i) + "@during", 2)
            .orFail("put with " + victim + " down (W = 2, sloppy quorum)");
      }
      assertThat(driver.hintsPending()).as("hints kept for %s", victim).isPositive();

      driver.restart(victim);
      awaitView(driver, driver.nodes(), victim, true);
      driver.awaitOrFail("hints handed off", SETTLE, () -> driver.hintsPending() == 0);
      List<String> homes = settle(driver, () -> AcknowledgedWritesChecker.viaHomeReplicas(driver, history));
      assertThat(homes).as("home replicas missing acknowledged writes on %s", driver.name()).isEmpty();
      assertThat(AcknowledgedWritesChecker.viaReads(driver, history, victim, 3))
          .as("acknowledged writes read with R = 3 through %s", victim)
          .isEmpty();
    }
  }

  @Test
  void aQuorumThatCannotBeReachedIsATypedError() {
    try (ClusterDriver driver =
        newDriver(ClusterSpec.of(3, "too-few", Capability.KILL_RESTART, Capability.FAILURE_VIEW))) {
      List<String> nodes = driver.nodes();
      String live = nodes.get(0);
      driver.kill(nodes.get(1));
      driver.kill(nodes.get(2));
      awaitView(driver, List.of(live), nodes.get(1), false);
      awaitView(driver, List.of(live), nodes.get(2), false);
      Outcome put = driver.put(live, BUCKET, utf8("k"), NO_CONTEXT, utf8("v"), 2);
      assertThat(put.status()).as("put with W = 2 and one node up: %s", put)
          .isEqualTo(Outcome.Status.QUORUM_UNAVAILABLE);
      Outcome get = driver.get(live, BUCKET, utf8("k"), 2);
      assertThat(get.status()).as("get with R = 2 and one node up: %s", get)
          .isEqualTo(Outcome.Status.QUORUM_UNAVAILABLE);
    }
  }

  /** The first {@code count} keys {@code k-0, k-1, ...} of which {@code node} is a home replica. */
  protected static List<String> keysHomedOn(ClusterDriver driver, String node, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; out.size() < count; i++) {
      String key = "k-" + i;
      if (driver.homeReplicas(BUCKET, utf8(key)).contains(node)) {
        out.add(key);
      }
    }
    return out;
  }

  /** Waits until every one of {@code observers} believes {@code node} up (or down). */
  protected static void awaitView(ClusterDriver driver, List<String> observers, String node, boolean up) {
    driver.awaitOrFail(
        observers + " see " + node + (up ? " up" : " down"),
        SETTLE,
        () -> observers.stream().allMatch(o -> o.equals(node) || driver.believesUp(o, node) == up));
  }

  /** Runs {@code checker} until it reports nothing or {@link #SETTLE} passes; its last report. */
  protected static List<String> settle(ClusterDriver driver, java.util.function.Supplier<List<String>> checker) {
    List<List<String>> last = new ArrayList<>(List.of(List.of("never checked")));
    driver.await(SETTLE, () -> {
      last.set(0, checker.get());
      return last.get(0).isEmpty();
    });
    return last.get(0);
  }
}

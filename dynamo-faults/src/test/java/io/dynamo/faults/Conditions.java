package io.dynamo.faults;

import static org.awaitility.Awaitility.await;

import io.dynamo.client.NodeStatus;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;

/** Waiting for cluster conditions with Awaitility, never by sleeping. */
final class Conditions {
  private Conditions() {}

  /**
   * Runs {@code checker} until it reports nothing or {@code within} passes; returns its last report
   * (empty when the condition was reached). Positive tests assert it is empty, negative tests that
   * it is not.
   */
  static List<String> settle(Supplier<List<String>> checker, Duration within) {
    AtomicReference<List<String>> last = new AtomicReference<>(List.of("never checked"));
    try {
      await()
          .atMost(within)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> {
            last.set(checker.get());
            return last.get().isEmpty();
          });
    } catch (ConditionTimeoutException e) {
      // report what the checker saw last
    }
    return last.get();
  }

  /** Waits until every node of {@code observers} sees each of {@code nodes} as up (or down). */
  static void awaitSeen(
      ProcessCluster cluster, Collection<String> observers, Collection<String> nodes, boolean up,
      Duration within) {
    await()
        .alias("nodes " + observers + " see " + nodes + (up ? " up" : " down"))
        .atMost(within)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> seen(cluster, observers, nodes, up));
  }

  /** Whether every node of {@code observers} answers and sees each of {@code nodes} as up (or down). */
  static boolean seen(
      ProcessCluster cluster, Collection<String> observers, Collection<String> nodes, boolean up) {
    try {
      for (String observer : observers) {
        NodeStatus s = cluster.client().statusAsync(cluster.index(observer)).join();
        for (NodeStatus.Member m : s.members()) {
          if (nodes.contains(m.nodeId()) && m.up() != up) {
            return false;
          }
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}

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
    AtomicReference<String> last = new AtomicReference<>("nothing yet");
    try {
      await()
          .atMost(within)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            last.set(notSeen(cluster, observers, nodes, up));
            return last.get() == null;
          });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "nodes " + observers + " did not all see " + nodes + (up ? " up" : " down") + " within "
              + within + "; last: " + last.get(), e);
    }
  }

  /** Whether every node of {@code observers} answers and sees each of {@code nodes} as up (or down). */
  static boolean seen(
      ProcessCluster cluster, Collection<String> observers, Collection<String> nodes, boolean up) {
    return notSeen(cluster, observers, nodes, up) == null;
  }

  /** Null if every observer sees the nodes so, else what one of them sees. */
  private static String notSeen(
      ProcessCluster cluster, Collection<String> observers, Collection<String> nodes, boolean up) {
    for (String observer : observers) {
      NodeStatus s;
      try {
        s = cluster.client().statusAsync(cluster.index(observer)).join();
      } catch (RuntimeException e) {
        return observer + " did not answer: " + e;
      }
      for (NodeStatus.Member m : s.members()) {
        if (nodes.contains(m.nodeId()) && m.up() != up) {
          return observer + " sees " + m.nodeId() + (m.up() ? " up" : " down") + " (phi " + m.phi() + ")";
        }
      }
    }
    return null;
  }
}

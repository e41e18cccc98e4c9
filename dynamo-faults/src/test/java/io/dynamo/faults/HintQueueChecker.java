package io.dynamo.faults;

import io.dynamo.client.HintQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Hints drained: no node among {@code holders} holds hints for any of {@code targets}. A holder
 * that does not answer is a violation too (its queue is unknown).
 */
public final class HintQueueChecker {
  private final ProcessCluster cluster;

  public HintQueueChecker(ProcessCluster cluster) {
    this.cluster = cluster;
  }

  public List<String> violations(Collection<String> holders, Collection<String> targets) {
    List<String> out = new ArrayList<>();
    for (String holder : holders) {
      try {
        for (HintQueue q : cluster.client().hintsAsync(cluster.index(holder)).join()) {
          if (targets.contains(q.target()) && q.count() > 0) {
            out.add(holder + " holds " + q.count() + " hints for " + q.target()
                + " (oldest " + q.oldestAge().toMillis() + " ms)");
          }
        }
      } catch (RuntimeException e) {
        out.add(holder + " did not list its hints: " + e);
      }
    }
    return out;
  }

  /** Hints for {@code target} held across {@code holders}; nodes that do not answer count 0. */
  public long count(Collection<String> holders, String target) {
    long sum = 0;
    for (String holder : holders) {
      try {
        for (HintQueue q : cluster.client().hintsAsync(cluster.index(holder)).join()) {
          if (q.target().equals(target)) {
            sum += q.count();
          }
        }
      } catch (RuntimeException e) {
        // not answering: nothing known
      }
    }
    return sum;
  }
}

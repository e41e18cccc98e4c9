package io.dynamo.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Every acknowledged write is readable. Each key of an {@link AcknowledgedWrites} history was
 * written one put after another, each with the last one's context, so its last acknowledged value
 * is the one that must be present:
 *
 * <ul>
 *   <li>{@link #viaReads}: a quorum read of the key (R = N by default, so every replica's copy
 *       counts) returns it among its values;
 *   <li>{@link #viaHomeReplicas}: each home replica's own copy ({@code localGet}, no other replica
 *       asked) holds exactly it, which is what hinted handoff (and later anti-entropy) must bring
 *       about once a replica that missed writes is back.
 * </ul>
 *
 * Both return one line per violation (empty when all hold), so negative tests run the same code.
 * Lines start with {@code lost:} / {@code unreadable:} (reads) or name the node and say {@code
 * misses} / {@code is stale on} / {@code unreadable} (home replicas).
 */
public final class AcknowledgedWritesChecker {
  private static final int ATTEMPTS = 3;

  private AcknowledgedWritesChecker() {}

  /** Reads every key through {@code via} with {@code r}; three failed reads make it unreadable. */
  public static List<String> viaReads(ClusterDriver driver, AcknowledgedWrites history, String via, int r) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : history.values().entrySet()) {
      Outcome read = null;
      for (int attempt = 0; attempt < ATTEMPTS && (read == null || !read.isOk()); attempt++) {
        read = driver.get(via, history.bucket(), Bytes.utf8(e.getKey()), r);
      }
      if (!read.isOk()) {
        out.add("unreadable: " + e.getKey() + ": " + read);
      } else if (!read.strings().contains(e.getValue())) {
        out.add("lost: " + e.getKey() + ": acknowledged " + e.getValue() + ", read " + read.strings());
      }
    }
    return out;
  }

  /** Checks the own copy of every key on each of its home replicas that is among {@code nodes}. */
  public static List<String> viaHomeReplicas(
      ClusterDriver driver, AcknowledgedWrites history, Collection<String> nodes) {
    driver.assume(ClusterDriver.Capability.LOCAL_GET);
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : history.values().entrySet()) {
      byte[] key = Bytes.utf8(e.getKey());
      for (String node : driver.homeReplicas(history.bucket(), key)) {
        if (!nodes.contains(node)) {
          continue;
        }
        Outcome local = driver.localGet(node, history.bucket(), key);
        if (!local.isOk()) {
          out.add(node + " unreadable: " + e.getKey() + ": " + local);
        } else if (!local.strings().equals(List.of(e.getValue()))) {
          out.add(node + " " + (local.found() ? "is stale on " : "misses ") + e.getKey() + ": holds "
              + local.strings() + ", latest acknowledged " + e.getValue());
        }
      }
    }
    return out;
  }

  /** {@link #viaHomeReplicas} over every node. */
  public static List<String> viaHomeReplicas(ClusterDriver driver, AcknowledgedWrites history) {
    return viaHomeReplicas(driver, history, driver.nodes());
  }
}

package io.dynamo.faults;

import io.dynamo.testkit.AcknowledgedWrites;
import io.dynamo.testkit.AcknowledgedWritesChecker;
import java.util.List;

/**
 * Every acknowledged write is present: a quorum read of each key in the history (R = N by default,
 * so every replica's copy counts) must return the key's last acknowledged value among its values.
 * A key whose read fails three times is reported as unreadable, which is a violation too: the
 * checker runs once the cluster is healed. The shared {@link AcknowledgedWritesChecker#viaReads},
 * through the first node of the cluster.
 */
public final class DurabilityChecker {
  private final ProcessCluster cluster;
  private final int r;

  public DurabilityChecker(ProcessCluster cluster, int r) {
    this.cluster = cluster;
    this.r = r;
  }

  /** One line per acknowledged write that is not present ({@code lost:} or {@code unreadable:}). */
  public List<String> violations(AcknowledgedWrites history) {
    return AcknowledgedWritesChecker.viaReads(
        ProcessClusterDriver.over(cluster), history, cluster.ids().get(0), r);
  }
}

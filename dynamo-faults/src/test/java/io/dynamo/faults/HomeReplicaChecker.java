package io.dynamo.faults;

import io.dynamo.testkit.AcknowledgedWrites;
import io.dynamo.testkit.AcknowledgedWritesChecker;
import java.util.Collection;
import java.util.List;

/**
 * Every home replica holds the latest data: for each key in the history and each of its home
 * replicas among {@code nodes}, that node's own copy ({@code localGet}, no other replica asked)
 * must be exactly the key's last acknowledged value. This is what hinted handoff (and later
 * anti-entropy) must bring about once a replica that missed writes is back. The shared {@link
 * AcknowledgedWritesChecker#viaHomeReplicas} over this cluster.
 */
public final class HomeReplicaChecker {
  private final ProcessCluster cluster;

  public HomeReplicaChecker(ProcessCluster cluster) {
    this.cluster = cluster;
  }

  /** One line per (key, replica) whose copy is missing or not the latest; empty when all hold it. */
  public List<String> violations(AcknowledgedWrites history, Collection<String> nodes) {
    return AcknowledgedWritesChecker.viaHomeReplicas(ProcessClusterDriver.over(cluster), history, nodes);
  }
}

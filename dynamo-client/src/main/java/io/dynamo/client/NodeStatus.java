package io.dynamo.client;

import java.time.Duration;
import java.util.List;

/** A node's answer to a status request: itself and the cluster as it sees it. */
public record NodeStatus(
    String nodeId, String version, int partitions, int defaultN, int defaultR, int defaultW,
    Duration uptime, List<Member> members, long storageFailures, String lastStorageError) {

  /**
   * One member of the cluster; {@code up} and {@code phi} are the answering node's failure
   * detector's view of it, {@code state} its membership state (valid, leaving, down) and {@code
   * copies} the partition copies it owns ({@code partitionsOwned} counts those it is first owner
   * of).
   */
  public record Member(
      String nodeId, String clientAddress, String peerAddress, int capacity, String zone,
      int partitionsOwned, boolean up, double phi, String state, int copies) {}

  public NodeStatus {
    members = List.copyOf(members);
  }
}

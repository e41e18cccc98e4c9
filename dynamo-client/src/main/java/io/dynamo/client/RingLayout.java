package io.dynamo.client;

import java.util.List;

/** The ring as one node holds it: every partition's owners, the moves under way, and the balance. */
public record RingLayout(
    long version,
    String claimant,
    int replicas,
    List<Partition> partitions,
    List<PlannedMove> pendingMoves,
    List<MemberLoad> members) {
  public RingLayout {
    partitions = List.copyOf(partitions);
    pendingMoves = List.copyOf(pendingMoves);
    members = List.copyOf(members);
  }

  /** A partition's owners in preference order, and the nodes taking a copy of it. */
  public record Partition(int partition, List<String> owners, List<String> pending) {
    public Partition {
      owners = List.copyOf(owners);
      pending = List.copyOf(pending);
    }
  }

  /**
   * A member's share of the ring: {@code shareOfFair} is its copies over what its capacity entitles
   * it to (1.0 is exactly fair).
   */
  public record MemberLoad(String nodeId, String status, int capacity, int copies, double shareOfFair) {}
}

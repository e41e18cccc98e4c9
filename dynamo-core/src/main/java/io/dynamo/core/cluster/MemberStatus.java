package io.dynamo.core.cluster;

/**
 * Where a member stands in the cluster's life cycle. Only the claimant's committed changes move a
 * member between these (liveness is the failure detector's business and never changes them), except
 * {@link #DOWN}, which an operator sets so that changes can be planned around an unreachable node.
 */
public enum MemberStatus {
  /** Announced itself (or was added by an operator) and owns nothing yet. */
  JOINING,
  /** A full member: may own partitions and coordinate requests. */
  VALID,
  /** Asked to leave: keeps serving until its partitions have moved away, then becomes removed. */
  LEAVING,
  /** Marked down by an operator: owns what it owned, but plans move its partitions away. */
  DOWN,
  /** Gone for good: owns nothing; its id is kept so a stale copy of it is never taken back in. */
  REMOVED;

  /** True while the member may appear in a partition table. */
  public boolean mayOwn() {
    return this == VALID || this == LEAVING || this == DOWN;
  }
}

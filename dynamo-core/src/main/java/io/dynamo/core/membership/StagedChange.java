package io.dynamo.core.membership;

import io.dynamo.core.ring.NodeId;
import java.util.Objects;

/** A membership change an operator staged on the claimant, waiting for a plan and a commit. */
public record StagedChange(Kind kind, NodeId node) {
  /** What happens to {@link #node}. */
  public enum Kind {
    /** Becomes a member and takes its share of partitions. */
    JOIN,
    /** Hands its partitions to the others (copied from it), then is removed. */
    LEAVE,
    /** Gone for good: its partitions are copied from their other owners, then it is removed. */
    REMOVE,
    /** Unreachable: no longer a claimant, and given no new partitions, until it rejoins. */
    MARK_DOWN
  }

  public StagedChange {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(node, "node");
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " " + node;
  }
}

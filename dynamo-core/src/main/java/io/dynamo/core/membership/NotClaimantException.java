package io.dynamo.core.membership;

import io.dynamo.core.ring.NodeId;

/** A ring change asked of a node that is not the claimant. */
public final class NotClaimantException extends RuntimeException {
  private final NodeId claimant;

  public NotClaimantException(NodeId claimant) {
    super(claimant == null
        ? "no claimant: no valid member is believed up"
        : "this node is not the claimant; ask " + claimant);
    this.claimant = claimant;
  }

  /** The claimant as this node sees it, or null if none. */
  public NodeId claimant() {
    return claimant;
  }
}

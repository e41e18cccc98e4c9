package io.dynamo.core.cluster;

import java.util.Objects;

/** A move the claimant committed, and how far it has gone. */
public record PendingMove(PartitionMove move, MovePhase phase) {
  public PendingMove {
    Objects.requireNonNull(move, "move");
    Objects.requireNonNull(phase, "phase");
  }

  public static PendingMove pending(PartitionMove move) {
    return new PendingMove(move, MovePhase.PENDING);
  }

  /** This move in its next phase. */
  public PendingMove advance() {
    return new PendingMove(move, phase.next());
  }

  @Override
  public String toString() {
    return move + "[" + phase + "]";
  }
}

package io.dynamo.core.cluster;

/**
 * How far a partition move has gone. Only the claimant advances a phase (as a new ring version),
 * and only forwards.
 */
public enum MovePhase {
  /** The new owner is in the write set; the snapshot stream has not completed. */
  PENDING,
  /** The new owner holds a complete, caught-up copy; reads may switch once every node saw this. */
  COPIED,
  /** The old owner has left the write set; its copy may be deleted. */
  DONE;

  /** The next phase; {@link #DONE} has none. */
  public MovePhase next() {
    if (this == DONE) {
      throw new IllegalStateException("a done move has no next phase");
    }
    return values()[ordinal() + 1];
  }
}

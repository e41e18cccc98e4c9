package io.dynamo.core.transfer;

/** Where an incoming transfer stands. */
public enum TransferState {
  /** Waiting for a free slot ({@link TransferSettings#maxIncoming()}). */
  QUEUED,
  /** Reading its persisted progress. */
  LOADING,
  /** Asking for and applying chunks. */
  RUNNING,
  /** Every record of the source's snapshot is applied. */
  COMPLETED,
  /** Gave up: no progress for the stall timeout, a refusal by the source, or a storage failure. */
  FAILED,
  /** Called off by {@link TransferService#cancel}. */
  CANCELLED;

  public boolean finished() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}

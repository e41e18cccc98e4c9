package io.dynamo.core.transfer;

/** An incoming transfer failed or was cancelled; {@link #progress()} shows how far it got. */
public final class TransferFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient TransferProgress progress;

  public TransferFailedException(TransferProgress progress) {
    super("transfer " + progress.id() + " of partition " + progress.partition() + " from "
        + progress.source() + " " + progress.state().name().toLowerCase(java.util.Locale.ROOT)
        + ": " + progress.failure());
    this.progress = progress;
  }

  public TransferProgress progress() {
    return progress;
  }
}

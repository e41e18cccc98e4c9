package io.dynamo.client;

/** No node could be reached, or a connection broke with the request in flight. Retryable. */
public final class ConnectionException extends DynamoException {
  private static final long serialVersionUID = 1L;

  private final boolean maybeApplied;

  /** The request was never sent (no connection, or its write failed). */
  public ConnectionException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * @param maybeApplied the connection broke after the request was written: the node may have
   *     applied it, as after a timeout
   */
  public ConnectionException(String message, Throwable cause, boolean maybeApplied) {
    super("CONNECTION", message, cause);
    this.maybeApplied = maybeApplied;
  }

  /** Whether the node may have applied the request (it was sent before the connection broke). */
  public boolean maybeApplied() {
    return maybeApplied;
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}

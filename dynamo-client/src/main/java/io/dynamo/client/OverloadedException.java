package io.dynamo.client;

/**
 * The node refused the request to protect itself, without applying any of it (too many requests in
 * flight, a full queue, or the request waited past its deadline). Retryable, best after a pause or
 * on another node.
 */
public final class OverloadedException extends DynamoException {
  private static final long serialVersionUID = 1L;

  private final boolean sent;

  public OverloadedException(String message) {
    this(message, true);
  }

  /**
   * @param sent false when this client refused the request itself (its own in-flight limit), so
   *     no node ever saw it
   */
  public OverloadedException(String message, boolean sent) {
    super("OVERLOADED", message);
    this.sent = sent;
  }

  /** False when the client refused the request without sending it. */
  public boolean wasSent() {
    return sent;
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}

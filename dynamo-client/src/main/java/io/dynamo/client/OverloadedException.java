package io.dynamo.client;

/**
 * The node refused the request to protect itself, without applying any of it (too many requests in
 * flight, a full queue, or the request waited past its deadline). Retryable, best after a pause or
 * on another node.
 */
public final class OverloadedException extends DynamoException {
  private static final long serialVersionUID = 1L;

  public OverloadedException(String message) {
    super("OVERLOADED", message);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}

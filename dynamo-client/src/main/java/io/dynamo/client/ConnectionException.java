package io.dynamo.client;

/** No node could be reached, or a connection broke with the request in flight. Retryable. */
public final class ConnectionException extends DynamoException {
  private static final long serialVersionUID = 1L;

  public ConnectionException(String message, Throwable cause) {
    super("CONNECTION", message, cause);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}

package io.dynamo.client;

/** No answer before the deadline: a write may or may not have been applied. Retryable. */
public final class RequestTimeoutException extends DynamoException {
  private static final long serialVersionUID = 1L;

  public RequestTimeoutException(String message) {
    super("TIMEOUT", message);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}

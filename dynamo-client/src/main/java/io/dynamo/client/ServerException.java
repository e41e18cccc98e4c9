package io.dynamo.client;

/** The node failed inside (storage error, internal error). */
public final class ServerException extends DynamoException {
  private static final long serialVersionUID = 1L;

  public ServerException(String code, String message) {
    super(code, message);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}

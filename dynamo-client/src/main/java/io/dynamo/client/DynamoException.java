package io.dynamo.client;

/** Root of the client's errors; {@link #code()} is the store's status code name. */
public class DynamoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public DynamoException(String code, String message) {
    super(message);
    this.code = code;
  }

  public DynamoException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public String code() {
    return code;
  }

  /** Whether the same request may succeed if tried again later. */
  public boolean isRetryable() {
    return false;
  }
}

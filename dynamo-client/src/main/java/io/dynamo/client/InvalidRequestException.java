package io.dynamo.client;

/**
 * The store refused the request as given (bad bucket name, empty key, value too large, corrupt
 * context...): sending it again unchanged will fail again.
 */
public final class InvalidRequestException extends DynamoException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String code, String message) {
    super(code, message);
  }
}

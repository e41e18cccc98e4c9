package io.dynamo.core.version;

/**
 * A client's context decodes but cannot be right: a counter or timestamp out of range, or an event
 * of the coordinating node that it never issued. The request is refused with {@code BAD_CONTEXT}
 * and nothing is written.
 */
public final class InvalidContextException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidContextException(String message) {
    super(message);
  }
}

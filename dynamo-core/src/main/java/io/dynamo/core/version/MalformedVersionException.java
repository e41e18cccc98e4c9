package io.dynamo.core.version;

/** Bytes that should hold an encoded clock or sibling set do not. */
public final class MalformedVersionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedVersionException(String message) {
    super(message);
  }
}

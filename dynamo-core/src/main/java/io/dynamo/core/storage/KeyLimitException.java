package io.dynamo.core.storage;

/** A coordinated write refused by its bucket's {@link KeyLimits}; nothing was stored. */
public final class KeyLimitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which limit the write would have passed. */
  public enum Kind {
    TOO_MANY_SIBLINGS,
    RECORD_TOO_LARGE
  }

  private final Kind kind;

  KeyLimitException(Kind kind, String message) {
    super(message, null, false, false); // refused input, not a bug: no stack trace
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}

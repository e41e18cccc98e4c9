package io.dynamo.client;

/** Fewer replicas answered than the request's R or W required. Retryable. */
public final class QuorumUnavailableException extends DynamoException {
  private static final long serialVersionUID = 1L;

  private final int required;
  private final int acknowledged;

  public QuorumUnavailableException(String message, int required, int acknowledged) {
    super("QUORUM_UNAVAILABLE", message);
    this.required = required;
    this.acknowledged = acknowledged;
  }

  public int required() {
    return required;
  }

  public int acknowledged() {
    return acknowledged;
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}

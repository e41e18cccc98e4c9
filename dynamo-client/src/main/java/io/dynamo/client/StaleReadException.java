package io.dynamo.client;

/**
 * A session get found no replica, within its deadline, whose answer covered the versions the
 * session requires (its own writes, or what it read before): the replicas it reached are behind.
 */
public final class StaleReadException extends DynamoException {
  private static final long serialVersionUID = 1L;

  public StaleReadException(String message) {
    super("STALE_READ", message);
  }
}

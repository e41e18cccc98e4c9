package io.dynamo.core.cluster;

/** Bytes or a message that should hold a cluster state, a digest or a delta do not. */
public final class MalformedClusterStateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedClusterStateException(String message) {
    super(message);
  }

  public MalformedClusterStateException(String message, Throwable cause) {
    super(message, cause);
  }
}

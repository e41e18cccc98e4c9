package io.dynamo.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The answer to one request: a status and, when it is {@link Status#OK}, the values (for a read),
 * the context to write with next (opaque bytes) and whether only tombstones were found.
 */
public record Outcome(Status status, List<byte[]> values, byte[] context, boolean deleted, String message) {
  /** What became of a request, the same on every driver. */
  public enum Status {
    OK,
    /** Fewer replicas than the quorum could be reached. */
    QUORUM_UNAVAILABLE,
    /** No answer in time (the client's or the node's deadline). */
    TIMEOUT,
    /** The node shed the request. */
    OVERLOADED,
    /** Refused as malformed: bad bucket, bad context, R or W above N... */
    INVALID,
    /** Anything else (storage error, connection refused...). */
    ERROR
  }

  public Outcome {
    values = List.copyOf(values);
    context = context == null ? new byte[0] : context;
  }

  public static Outcome ok(List<byte[]> values, byte[] context, boolean deleted) {
    return new Outcome(Status.OK, values, context, deleted, "");
  }

  /** A write's success: the new version's context. */
  public static Outcome written(byte[] context) {
    return ok(List.of(), context, false);
  }

  public static Outcome failed(Status status, String message) {
    return new Outcome(status, List.of(), new byte[0], false, message);
  }

  public boolean isOk() {
    return status == Status.OK;
  }

  public boolean found() {
    return !values.isEmpty();
  }

  /** The values as UTF-8 strings, in the order returned. */
  public List<String> strings() {
    return values.stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList();
  }

  /** This outcome if it is OK, else an AssertionError naming {@code what}. */
  public Outcome orFail(String what) {
    if (!isOk()) {
      throw new AssertionError(what + " failed: " + this);
    }
    return this;
  }

  @Override
  public String toString() {
    return status == Status.OK
        ? "OK " + strings() + (deleted ? " (deleted)" : "") + " context " + context.length + " bytes"
        : status + ": " + message;
  }
}

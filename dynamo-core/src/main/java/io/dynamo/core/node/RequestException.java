package io.dynamo.core.node;

import io.dynamo.proto.v1.ErrorResponse;
import io.dynamo.proto.v1.StatusCode;

/** A request the node refuses or cannot complete, with the status the caller receives. */
public final class RequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final StatusCode code;
  private final int required;
  private final int acknowledged;

  public RequestException(StatusCode code, String message) {
    this(code, message, 0, 0);
  }

  /** For QUORUM_UNAVAILABLE: how many replicas were required and how many could answer. */
  public RequestException(StatusCode code, String message, int required, int acknowledged) {
    super(message);
    this.code = code;
    this.required = required;
    this.acknowledged = acknowledged;
  }

  public StatusCode code() {
    return code;
  }

  public ErrorResponse toResponse() {
    return ErrorResponse.newBuilder()
        .setCode(code)
        .setMessage(getMessage())
        .setRequired(required)
        .setAcknowledged(acknowledged)
        .build();
  }
}

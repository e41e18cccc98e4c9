package io.dynamo.core.node;

import io.dynamo.proto.v1.ErrorResponse;
import io.dynamo.proto.v1.StatusCode;

/** A request the node refuses or cannot complete, with the status the caller receives. */
public final class RequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final StatusCode code;

  public RequestException(StatusCode code, String message) {
    super(message);
    this.code = code;
  }

  public StatusCode code() {
    return code;
  }

  public ErrorResponse toResponse() {
    return ErrorResponse.newBuilder().setCode(code).setMessage(getMessage()).build();
  }
}

package io.dynamo.client.impl;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.DynamoException;
import io.dynamo.client.InvalidRequestException;
import io.dynamo.client.OverloadedException;
import io.dynamo.client.QuorumUnavailableException;
import io.dynamo.client.RequestTimeoutException;
import io.dynamo.client.ServerException;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ErrorResponse;

/** Turns answers into results or typed exceptions. */
public final class Responses {
  private Responses() {}

  /** The answer if it is of the expected kind; otherwise the exception the caller should see. */
  public static Envelope expect(Envelope response, Envelope.BodyCase expected) {
    if (response.getBodyCase() == expected) {
      return response;
    }
    if (response.hasError()) {
      throw toException(response.getError());
    }
    throw new ServerException("INTERNAL", "unexpected answer " + response.getBodyCase() + " to a request for " + expected);
  }

  public static DynamoException toException(ErrorResponse e) {
    String message = e.getMessage();
    return switch (e.getCode()) {
      case QUORUM_UNAVAILABLE ->
          new QuorumUnavailableException(message, e.getRequired(), e.getAcknowledged());
      case TIMEOUT -> new RequestTimeoutException(message);
      case OVERLOADED -> new OverloadedException(message);
      case STORAGE_ERROR, INTERNAL, NOT_A_REPLICA -> new ServerException(e.getCode().name(), message);
      case MALFORMED_FRAME, FRAME_TOO_LARGE -> new ConnectionException(e.getCode() + ": " + message, null);
      default -> new InvalidRequestException(e.getCode().name(), message);
    };
  }
}

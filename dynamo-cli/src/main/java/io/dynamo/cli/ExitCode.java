package io.dynamo.cli;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.DynamoException;
import io.dynamo.client.InvalidRequestException;
import io.dynamo.client.QuorumUnavailableException;
import io.dynamo.client.RequestTimeoutException;

/** The CLI's exit statuses, one per class of error so scripts can tell them apart. */
final class ExitCode {
  static final int OK = 0;
  /** The node failed inside, or an unexpected error. */
  static final int SERVER_ERROR = 1;
  /** Bad command line: unknown option, missing argument, malformed context, no node to talk to. */
  static final int USAGE = 2;
  /** The store refused the request as given (bad bucket name, quorum above N, value too large). */
  static final int INVALID_REQUEST = 3;
  /** Fewer replicas answered than R or W required. */
  static final int QUORUM_UNAVAILABLE = 4;
  /** No answer before the deadline; a write may or may not have been applied. */
  static final int TIMEOUT = 5;
  /** No node could be reached. */
  static final int CONNECTION = 6;

  private ExitCode() {}

  static int of(DynamoException e) {
    if (e instanceof InvalidRequestException) {
      return INVALID_REQUEST;
    }
    if (e instanceof QuorumUnavailableException) {
      return QUORUM_UNAVAILABLE;
    }
    if (e instanceof RequestTimeoutException) {
      return TIMEOUT;
    }
    if (e instanceof ConnectionException) {
      return CONNECTION;
    }
    return SERVER_ERROR;
  }
}

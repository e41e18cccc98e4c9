package io.dynamo.server.transport;

import io.dynamo.proto.v1.Envelope;

/**
 * Told of every client request the node answers, refused ones included, so metrics can time them
 * without the transport knowing about metrics. Called on whichever thread answers (an I/O loop or
 * a shard), once per request: it must be cheap and must not block.
 */
@FunctionalInterface
public interface ClientRequestObserver {
  ClientRequestObserver NONE = (request, response, nanos) -> {};

  /**
   * @param request the request as decoded
   * @param response its one answer
   * @param nanos from the request's decoding (its arrival at the client handler) to its answer
   *     being handed to the connection for writing
   */
  void answered(Envelope request, Envelope response, long nanos);
}

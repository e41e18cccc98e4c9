package io.dynamo.server.config;

/**
 * How much client work a node takes on before it refuses more with {@code OVERLOADED}.
 *
 * @param maxInFlight client requests admitted and not yet answered, node-wide
 * @param maxInFlightPerConnection the same for one connection, well below {@code maxInFlight} so
 *     that one client cannot take every slot from the others
 * @param maxBytesInFlight encoded bytes of the admitted requests, node-wide: bounds the heap that
 *     values waiting for their replicas can hold
 * @param clientWriteBufferBytes answers queued for a client that does not read them; past it the
 *     node stops reading that connection until the client catches up
 * @param peerWriteBufferBytes messages queued for a peer that does not keep up; past it the node
 *     drops requests to that peer (the operation counts it as not answering) but never heartbeats
 */
public record RequestLimits(
    int maxInFlight,
    int maxInFlightPerConnection,
    long maxBytesInFlight,
    int clientWriteBufferBytes,
    int peerWriteBufferBytes) {

  public static final int DEFAULT_MAX_IN_FLIGHT = 4096;
  public static final int DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION = 512;
  public static final int DEFAULT_CLIENT_WRITE_BUFFER_BYTES = 4 << 20;
  public static final int DEFAULT_PEER_WRITE_BUFFER_BYTES = 32 << 20;

  public RequestLimits {
    if (maxInFlight < 1 || maxInFlightPerConnection < 1 || maxBytesInFlight < 1
        || clientWriteBufferBytes < 1 || peerWriteBufferBytes < 1) {
      throw new IllegalArgumentException("request limits must be positive");
    }
  }

  /** A quarter of the heap for request bytes, at most 256 MiB: values are copied a few times. */
  public static long defaultMaxBytesInFlight() {
    return Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);
  }

  public static RequestLimits defaults() {
    return new RequestLimits(
        DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, defaultMaxBytesInFlight(),
        DEFAULT_CLIENT_WRITE_BUFFER_BYTES, DEFAULT_PEER_WRITE_BUFFER_BYTES);
  }
}

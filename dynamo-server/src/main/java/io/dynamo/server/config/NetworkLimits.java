package io.dynamo.server.config;

import java.time.Duration;

/**
 * What a connection may cost the node before it is closed ({@code network.*} keys).
 *
 * @param idleTimeout a client connection (or a peer-port connection that has not said which peer
 *     it is) that sends nothing for this long between frames is closed; zero never closes one
 * @param frameStallTimeout any connection that receives no byte of a frame in progress for this
 *     long is closed
 * @param maxPendingFrameBytes bytes that client connections (and peer-port connections not yet
 *     identified as a member) together may hold in incomplete frames; connections of known peers
 *     have a budget of the same size of their own, so clients cannot starve them
 */
public record NetworkLimits(
    Duration idleTimeout, Duration frameStallTimeout, long maxPendingFrameBytes) {
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_FRAME_STALL_TIMEOUT = Duration.ofSeconds(10);

  public NetworkLimits {
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idle timeout must not be negative: " + idleTimeout);
    }
    if (frameStallTimeout.isNegative() || frameStallTimeout.isZero()) {
      throw new IllegalArgumentException("frame stall timeout must be positive: " + frameStallTimeout);
    }
    if (maxPendingFrameBytes < 1) {
      throw new IllegalArgumentException("pending frame budget must be positive: " + maxPendingFrameBytes);
    }
  }

  /**
   * The default budget: a quarter of the direct memory the JVM allows (peers have a budget of the
   * same size, and responses and outgoing writes need direct memory too), but never less than
   * twice the largest frame, so that one of those always fits however its buffer was rounded.
   */
  public static long defaultMaxPendingFrameBytes(long maxDirectMemory, int maxFrameBytes) {
    return Math.max(maxDirectMemory / 4, 2L * maxFrameBytes);
  }
}

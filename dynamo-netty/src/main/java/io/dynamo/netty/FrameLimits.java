package io.dynamo.netty;

import java.time.Duration;
import java.util.Objects;

/**
 * What one connection may cost the node while it reads frames.
 *
 * @param maxFrameBytes largest frame body accepted; a longer length prefix closes the connection
 *     before any of the body is buffered
 * @param idleTimeout a connection with no bytes arriving and no frame in progress for this long is
 *     closed; {@link Duration#ZERO} never closes idle connections
 * @param stallTimeout a connection in the middle of a frame that receives no byte for this long is
 *     closed; {@link Duration#ZERO} waits forever
 * @param budget shared with the other connections of the same kind; bounds the bytes they hold in
 *     incomplete frames together
 */
public record FrameLimits(
    int maxFrameBytes, Duration idleTimeout, Duration stallTimeout, PendingFrameBudget budget) {
  public FrameLimits {
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("max frame size must be positive: " + maxFrameBytes);
    }
    Objects.requireNonNull(budget, "budget");
    if (idleTimeout.isNegative() || stallTimeout.isNegative()) {
      throw new IllegalArgumentException("timeouts must not be negative");
    }
  }

  /** Only the frame size is limited: for connections to a trusted node (the client library). */
  public static FrameLimits frameSizeOnly(int maxFrameBytes) {
    return new FrameLimits(
        maxFrameBytes, Duration.ZERO, Duration.ZERO, PendingFrameBudget.unlimited("connections"));
  }

  /** These limits without the idle timeout: for connections that are quiet by design. */
  public FrameLimits withoutIdleTimeout() {
    return new FrameLimits(maxFrameBytes, Duration.ZERO, stallTimeout, budget);
  }
}

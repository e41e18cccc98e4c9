package io.dynamo.server.transport;

import io.dynamo.core.log.RateLimitedLog;
import io.dynamo.core.log.Untrusted;
import io.dynamo.core.node.Replies;
import io.dynamo.netty.EnvelopeCodec;
import io.dynamo.proto.v1.StatusCode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node does with a connection whose bytes it cannot read: tell the sender why, in an error
 * envelope, and close it, since the stream can no longer be trusted to be in step. Other
 * connections are untouched.
 *
 * <p>Bad input is the sender's problem, not the node's: it is logged as a rate-limited warning
 * without a stack trace, with everything the sender chose escaped. Only a failure that is not about
 * the input (a bug) is logged at ERROR with its stack trace.
 */
final class FrameErrors {
  private static final Logger log = LoggerFactory.getLogger(FrameErrors.class);
  private static final RateLimitedLog warnings =
      RateLimitedLog.of(log, () -> System.nanoTime() / 1_000_000);
  /** How long the error envelope may take to leave before the connection is closed anyway. */
  private static final long CLOSE_AFTER_MILLIS = 1_000;

  private FrameErrors() {}

  static void handle(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    StatusCode code;
    String kind;
    if (root instanceof TooLongFrameException) {
      code = StatusCode.FRAME_TOO_LARGE;
      kind = "frame-too-large";
    } else if (root instanceof EnvelopeCodec.MalformedFrameException
        || root instanceof CorruptedFrameException) {
      code = StatusCode.MALFORMED_FRAME;
      kind = "malformed-frame";
    } else if (root instanceof EnvelopeCodec.StalledFrameException) {
      code = StatusCode.TIMEOUT;
      kind = "stalled-frame";
    } else if (root instanceof EnvelopeCodec.PendingBytesExceededException) {
      code = StatusCode.OVERLOADED;
      kind = "pending-frame-budget";
    } else if (root instanceof IOException) {
      log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), root.toString());
      ctx.close();
      return;
    } else {
      log.error("unexpected failure on connection {}", ctx.channel().remoteAddress(), root);
      code = StatusCode.INTERNAL;
      kind = "internal";
    }
    String message = Untrusted.escape(String.valueOf(root.getMessage()), 256);
    warnings.warn(kind, "closing connection from {}: {}: {}", ctx.channel().remoteAddress(), code, message);
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(Replies.error(0, code, message)).addListener(ChannelFutureListener.CLOSE);
      // A sender that reads nothing could hold the answer, and so the connection, forever.
      ctx.executor().schedule(() -> ctx.close(), CLOSE_AFTER_MILLIS, TimeUnit.MILLISECONDS);
    }
  }
}

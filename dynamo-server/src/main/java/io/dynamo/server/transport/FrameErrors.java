package io.dynamo.server.transport;

import io.dynamo.core.node.Replies;
import io.dynamo.netty.EnvelopeCodec;
import io.dynamo.proto.v1.StatusCode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import org.slf4j.Logger;

/**
 * What a node does with a connection whose bytes it cannot read: tell the peer why, in an error
 * envelope, and close it, since the stream can no longer be trusted to be in step. Other
 * connections are untouched.
 */
final class FrameErrors {
  private FrameErrors() {}

  static void handle(ChannelHandlerContext ctx, Throwable cause, Logger log) {
    Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    StatusCode code;
    if (root instanceof TooLongFrameException) {
      code = StatusCode.FRAME_TOO_LARGE;
    } else if (root instanceof EnvelopeCodec.MalformedFrameException
        || root instanceof CorruptedFrameException) {
      code = StatusCode.MALFORMED_FRAME;
    } else if (root instanceof IOException) {
      log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), root.getMessage());
      ctx.close();
      return;
    } else {
      log.error("unexpected failure on connection {}", ctx.channel().remoteAddress(), root);
      code = StatusCode.INTERNAL;
    }
    log.warn("closing connection from {}: {}: {}", ctx.channel().remoteAddress(), code, root.getMessage());
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(Replies.error(0, code, String.valueOf(root.getMessage())))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }
}

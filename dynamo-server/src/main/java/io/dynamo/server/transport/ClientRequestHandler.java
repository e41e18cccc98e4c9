package io.dynamo.server.transport;

import io.dynamo.proto.v1.Envelope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Hands each client request to the node and writes the answer back on the same connection. Holds
 * no protocol state: requests are multiplexed by request id, answered in any order.
 */
@ChannelHandler.Sharable
public final class ClientRequestHandler extends SimpleChannelInboundHandler<Envelope> {
  private final BiConsumer<Envelope, Consumer<Envelope>> node;

  /** @param node receives a request and where to send its one answer; must not block */
  public ClientRequestHandler(BiConsumer<Envelope, Consumer<Envelope>> node) {
    this.node = node;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope request) {
    Channel channel = ctx.channel();
    node.accept(
        request,
        response -> {
          if (channel.isActive()) {
            channel.writeAndFlush(response, channel.voidPromise());
          }
        });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    FrameErrors.handle(ctx, cause);
  }
}

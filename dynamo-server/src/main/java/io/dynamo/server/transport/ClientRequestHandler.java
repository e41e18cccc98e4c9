package io.dynamo.server.transport;

import io.dynamo.core.node.Replies;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.StatusCode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Hands each client request of one connection to the node and writes the answer back on it.
 * Requests are multiplexed by request id and answered in any order. Admission happens here, on the
 * connection's I/O thread, before any work is queued: a request past the connection's or the
 * node's limits is answered {@code OVERLOADED} at once. A client that does not read its answers
 * stops being read (TCP pushes back) until it catches up, so answers cannot pile up either.
 */
public final class ClientRequestHandler extends SimpleChannelInboundHandler<Envelope> {
  private final BiConsumer<Envelope, Consumer<Envelope>> node;
  private final Admission admission;
  private final ShedLog shedLog;
  /** This connection's admitted requests not yet answered; answers arrive from any shard. */
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param node receives a request and where to send its one answer; must not block
   */
  public ClientRequestHandler(
      BiConsumer<Envelope, Consumer<Envelope>> node, Admission admission, ShedLog shedLog) {
    this.node = node;
    this.admission = admission;
    this.shedLog = shedLog;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope request) {
    Channel channel = ctx.channel();
    long bytes = request.getSerializedSize();
    Admission.Refusal refusal = admission.tryAdmit(inFlight.get(), bytes);
    if (refusal != null) {
      shedLog.shed(refusal);
      channel.writeAndFlush(
          Replies.error(
              request.getRequestId(),
              StatusCode.OVERLOADED,
              "overloaded, nothing done: " + admission.describe(refusal)),
          channel.voidPromise());
      return;
    }
    inFlight.incrementAndGet();
    AtomicBoolean answered = new AtomicBoolean();
    node.accept(
        request,
        response -> {
          if (!answered.compareAndSet(false, true)) {
            return; // the node answers once; a second answer would free a slot twice
          }
          inFlight.decrementAndGet();
          admission.release(bytes);
          if (channel.isActive()) {
            channel.writeAndFlush(response, channel.voidPromise());
          }
        });
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // Answers queue past the high-water mark only when the client is not reading them.
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    FrameErrors.handle(ctx, cause);
  }
}

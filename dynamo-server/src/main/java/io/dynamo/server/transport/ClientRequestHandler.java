package io.dynamo.server.transport;

import io.dynamo.core.log.RateLimitedLog;
import io.dynamo.core.node.Replies;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.StatusCode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.concurrent.TimeUnit;
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
  private final ClientRequestObserver observer;
  /** This connection's admitted requests not yet answered; answers arrive from any shard. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private final long writeStallMillis;
  /** Counts the times the connection became unwritable, so a check sees whether it recovered. */
  private long unwritableSince;

  private static final RateLimitedLog RATE_LIMITED =
      RateLimitedLog.of(org.slf4j.LoggerFactory.getLogger(ClientRequestHandler.class), System::currentTimeMillis);

  /**
   * @param node receives a request and where to send its one answer; must not block
   */
  public ClientRequestHandler(
      BiConsumer<Envelope, Consumer<Envelope>> node,
      Admission admission,
      ShedLog shedLog,
      long writeStallMillis,
      ClientRequestObserver observer) {
    this.writeStallMillis = writeStallMillis;
    this.observer = observer;
    this.node = node;
    this.admission = admission;
    this.shedLog = shedLog;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope request) {
    Channel channel = ctx.channel();
    long started = System.nanoTime();
    long bytes = request.getSerializedSize();
    Admission.Refusal refusal = admission.tryAdmit(inFlight.get(), bytes);
    if (refusal != null) {
      shedLog.shed(refusal);
      Envelope refused =
          Replies.error(
              request.getRequestId(),
              StatusCode.OVERLOADED,
              "overloaded, nothing done: " + admission.describe(refusal));
      observer.answered(request, refused, System.nanoTime() - started);
      channel.writeAndFlush(refused, channel.voidPromise());
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
          observer.answered(request, response, System.nanoTime() - started);
          // The slot, and the answer's bytes with it, are held until the answer has left: answers
          // a client does not read count against the limits like the requests that made them.
          long held = bytes + admission.hold(response.getSerializedSize());
          if (!channel.isActive()) {
            release(held);
            return;
          }
          channel.writeAndFlush(response).addListener(written -> release(held));
        });
  }

  private void release(long bytes) {
    inFlight.decrementAndGet();
    admission.release(bytes);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // Answers queue past the high-water mark only when the client is not reading them.
    boolean writable = ctx.channel().isWritable();
    ctx.channel().config().setAutoRead(writable);
    if (!writable) {
      // A client that stays that way would hold its answers, and its slots, for good.
      long since = ++unwritableSince;
      ctx.executor().schedule(
          () -> {
            if (!ctx.channel().isWritable() && unwritableSince == since && ctx.channel().isActive()) {
              RATE_LIMITED.warn(
                  "write-stall", "closing client connection from {}: it read none of its answers for {} ms",
                  ctx.channel().remoteAddress(), writeStallMillis);
              ctx.close();
            }
          },
          writeStallMillis,
          TimeUnit.MILLISECONDS);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    FrameErrors.handle(ctx, cause);
  }
}

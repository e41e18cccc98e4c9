package io.dynamo.client.impl;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.OverloadedException;
import io.dynamo.client.RequestTimeoutException;
import io.dynamo.netty.EnvelopeCodec;
import io.dynamo.netty.NettyRuntime;
import io.dynamo.proto.v1.Envelope;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One multiplexed connection to one node: many requests in flight, matched to answers by request
 * id. Opened on first use and reopened after it breaks.
 */
public final class NodeConnection implements AutoCloseable {
  private static final int PROTOCOL_VERSION = 1;

  private final InetSocketAddress address;
  private final Bootstrap bootstrap;
  private final EventLoopGroup group;
  private final AtomicLong nextRequestId = new AtomicLong(1);
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final int maxInFlight;
  /** Requests taken and not yet completed, however they end: the bound on what this client holds. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private ChannelFuture channel;
  private volatile boolean closed;

  /** A request in flight, and the channel it was written to. */
  private record Pending(CompletableFuture<Envelope> future, ScheduledFuture<?> timer, Channel channel) {}

  public NodeConnection(InetSocketAddress address, EventLoopGroup group, int maxFrameBytes) {
    this(address, group, maxFrameBytes, Integer.MAX_VALUE);
  }

  /**
   * @param maxInFlight requests this connection holds at once; past it a request fails at once
   *     with {@link OverloadedException}, unsent, so a caller that outpaces the node cannot grow
   *     the client's memory without bound
   */
  public NodeConnection(
      InetSocketAddress address, EventLoopGroup group, int maxFrameBytes, int maxInFlight) {
    this.maxInFlight = maxInFlight;
    this.address = address;
    this.group = group;
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NettyRuntime.clientChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3_000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    EnvelopeCodec.install(ch.pipeline(), maxFrameBytes);
                    ch.pipeline().addLast(new ResponseHandler());
                  }
                });
  }

  public InetSocketAddress address() {
    return address;
  }

  /** Sends a request; the future completes with the answer, or fails on timeout or disconnect. */
  public CompletableFuture<Envelope> request(Envelope.Builder request, Duration timeout) {
    CompletableFuture<Envelope> future = new CompletableFuture<>();
    if (closed) {
      future.completeExceptionally(new ConnectionException("client is closed", null));
      return future;
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      future.completeExceptionally(
          new OverloadedException(
              "not sent: " + maxInFlight + " requests already in flight to " + address
                  + " (this client's limit)",
              false));
      return future;
    }
    future.whenComplete((r, e) -> inFlight.decrementAndGet());
    long id = nextRequestId.getAndIncrement();
    Envelope envelope = request.setProtocolVersion(PROTOCOL_VERSION).setRequestId(id).build();
    // From the start, so that a connection that takes long to open (an address that drops
    // packets) counts against the request's time too.
    ScheduledFuture<?> timer;
    try {
      timer =
          group.next()
              .schedule(
                  () -> {
                    pending.remove(id);
                    future.completeExceptionally(
                        new RequestTimeoutException(
                            "no answer from " + address + " within " + timeout.toMillis() + " ms"));
                  },
                  timeout.toMillis(),
                  TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      future.completeExceptionally(new ConnectionException("client is closed", e));
      return future;
    }
    ChannelFuture connecting;
    try {
      connecting = connect();
    } catch (RuntimeException e) {
      timer.cancel(false);
      future.completeExceptionally(new ConnectionException("client is closed", e));
      return future;
    }
    connecting.addListener(
        (ChannelFuture f) -> {
          if (future.isDone()) {
            return; // timed out while connecting
          }
          if (!f.isSuccess()) {
            timer.cancel(false);
            future.completeExceptionally(
                new ConnectionException("cannot connect to " + address + ": " + f.cause().getMessage(), f.cause()));
            return;
          }
          Channel ch = f.channel();
          pending.put(id, new Pending(future, timer, ch));
          if (future.isDone()) {
            pending.remove(id); // the timer fired between the check and the put
            return;
          }
          ch.writeAndFlush(envelope)
              .addListener(
                  w -> {
                    if (!w.isSuccess()) {
                      fail(id, new ConnectionException("write to " + address + " failed", w.cause()));
                    }
                  });
        });
    return future;
  }

  private synchronized ChannelFuture connect() {
    if (closed) {
      throw new IllegalStateException("closed"); // no channel may be opened after close()
    }
    if (channel == null
        || (channel.isDone() && (!channel.isSuccess() || !channel.channel().isActive()))) {
      channel = bootstrap.connect(address);
    }
    return channel;
  }

  private void fail(long id, RuntimeException error) {
    Pending p = pending.remove(id);
    if (p != null) {
      p.timer().cancel(false);
      p.future().completeExceptionally(error);
    }
  }

  @Override
  public void close() {
    ChannelFuture ch;
    synchronized (this) {
      closed = true;
      ch = channel;
    }
    if (ch != null) {
      ch.channel().close();
    }
  }

  private final class ResponseHandler extends SimpleChannelInboundHandler<Envelope> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Envelope response) {
      Pending p = pending.remove(response.getRequestId());
      if (p != null) {
        p.timer().cancel(false);
        p.future().complete(response);
      } else if (response.getRequestId() == 0 && response.hasError()) {
        // An error about the connection itself: every request on it is lost.
        failAll(ctx.channel(), new ConnectionException(
            address + " closed the connection: " + response.getError().getCode() + ": "
                + response.getError().getMessage(), null, true));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      failAll(ctx.channel(), new ConnectionException("connection to " + address + " closed", null, true));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failAll(
          ctx.channel(),
          new ConnectionException("connection to " + address + " failed: " + cause.getMessage(), cause, true));
      ctx.close();
    }

    /**
     * Fails the requests written to {@code channel}: those on a newer connection, opened after
     * this one broke, are still in flight.
     */
    private void failAll(Channel channel, RuntimeException error) {
      for (Map.Entry<Long, Pending> e : pending.entrySet()) {
        if (e.getValue().channel() == channel) {
          fail(e.getKey(), error);
        }
      }
    }
  }
}

package io.dynamo.netty;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dynamo.proto.v1.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads length-prefixed frames and parses each into an {@link Envelope}, within {@link
 * FrameLimits}. Per connection, not sharable.
 *
 * <p>The first frame that cannot be read ends the connection's input: the frames decoded before it
 * are passed on, nothing after it is decoded or handed to the node (not even frames that arrived
 * in the same packet), reading stops, and the failure goes down the pipeline for the handler to
 * answer and close. A stream that failed once is no longer known to be in step, so a later
 * "frame" could be any bytes at all.
 *
 * <p>While a frame is incomplete, the bytes its receive buffer holds are reserved from the shared
 * {@link PendingFrameBudget}; a connection that would pass the budget fails the same way. A frame
 * that receives no byte for the stall timeout fails too, and a connection with no frame in progress
 * that receives nothing for the idle timeout is closed.
 */
final class EnvelopeDecoder extends ByteToMessageDecoder {
  private static final long NO_DEADLINE = Long.MAX_VALUE;

  private final FrameLimits limits;
  private final long stallNanos;
  private long idleNanos;
  /** Where this connection's reservation comes from; a peer that proves who it is moves. */
  private PendingFrameBudget budget;
  private boolean failed;
  /** Bytes of the budget this connection holds now. */
  private long reserved;
  private long lastProgressNanos;
  private ScheduledFuture<?> timer;
  private long timerDeadline;

  EnvelopeDecoder(FrameLimits limits) {
    this.limits = limits;
    this.stallNanos = limits.stallTimeout().toNanos();
    this.idleNanos = limits.idleTimeout().toNanos();
    this.budget = limits.budget();
  }

  /**
   * The sender proved to be a peer: what it holds in incomplete frames counts against {@code
   * peerBudget} from now on (what it holds now moves there), and it is never closed for being idle.
   */
  void trustAsPeer(ChannelHandlerContext ctx, PendingFrameBudget peerBudget) {
    idleNanos = 0;
    if (peerBudget != budget) {
      budget.release(reserved);
      budget = peerBudget;
      if (!budget.tryReserve(reserved)) {
        // Nearly impossible (a hello is tiny); count nothing rather than fail a proven peer.
        reserved = 0;
      }
    }
    schedule(ctx);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    lastProgressNanos = now(ctx);
    schedule(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (failed) {
      ReferenceCountUtil.release(msg); // after a failure, input is dropped unread
      return;
    }
    lastProgressNanos = now(ctx);
    try {
      super.channelRead(ctx, msg);
    } finally {
      if (!failed) {
        holdPending(ctx);
        schedule(ctx);
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (failed) {
      // ByteToMessageDecoder would ask for another read when auto-read is off; after a failure
      // nothing more is to be read.
      ctx.fireChannelReadComplete();
      return;
    }
    super.channelReadComplete(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < Integer.BYTES) {
      return;
    }
    int length = in.getInt(in.readerIndex());
    // The prefix is unsigned on the wire: 0xffffffff announces 4 GiB, not -1 bytes.
    if (length < 0 || length > limits.maxFrameBytes()) {
      throw fail(
          ctx,
          in,
          new TooLongFrameException(
              "frame of " + Integer.toUnsignedString(length) + " bytes exceeds the limit of "
                  + limits.maxFrameBytes() + " bytes"));
    }
    if (in.readableBytes() - Integer.BYTES < length) {
      return;
    }
    in.skipBytes(Integer.BYTES);
    ByteBuf frame = in.readSlice(length);
    try {
      // Parsed straight from the frame's memory (no stream, no intermediate copy); bytes fields
      // are copied out, so nothing refers to the frame once the buffer is reused.
      out.add(
          frame.nioBufferCount() == 1
              ? Envelope.parseFrom(frame.nioBuffer())
              : Envelope.parseFrom(new ByteBufInputStream(frame)));
    } catch (InvalidProtocolBufferException e) {
      throw fail(
          ctx, in, new EnvelopeCodec.MalformedFrameException("frame is not a valid envelope: " + e.getMessage(), e));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseAll();
    super.channelInactive(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    releaseAll();
  }

  /**
   * Marks the input failed: the rest of the buffer is dropped, reading stops, the reservation is
   * given back (the connection is about to close). Returns {@code cause} for the caller to throw.
   */
  private <T extends Exception> T fail(ChannelHandlerContext ctx, ByteBuf in, T cause) {
    failed = true;
    if (in != null) {
      in.skipBytes(in.readableBytes());
    }
    ctx.channel().config().setAutoRead(false);
    releaseAll();
    return cause;
  }

  /** Reserves what the receive buffer holds for an incomplete frame, or fails the connection. */
  private void holdPending(ChannelHandlerContext ctx) {
    ByteBuf pending = internalBuffer();
    long want = pending.isReadable() ? pending.capacity() : 0;
    if (want > reserved) {
      if (!budget.tryReserve(want - reserved)) {
        ctx.fireExceptionCaught(
            fail(
                ctx,
                pending,
                new EnvelopeCodec.PendingBytesExceededException(
                    "the node holds its limit of " + budget.limit() + " bytes of incomplete frames from "
                        + budget.name() + "; closing this connection with " + want + " bytes pending")));
        return;
      }
    } else if (want < reserved) {
      budget.release(reserved - want);
    }
    reserved = want;
  }

  private void releaseAll() {
    if (reserved > 0) {
      budget.release(reserved);
      reserved = 0;
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** When the connection is next due to be checked: stall while mid-frame, else idle. */
  private long deadline() {
    long timeout = internalBuffer().isReadable() ? stallNanos : idleNanos;
    return timeout == 0 ? NO_DEADLINE : lastProgressNanos + timeout;
  }

  /**
   * Arms the timer for the current deadline unless it is already armed for that time or earlier.
   * Progress moves the deadline later without re-arming; a timer that fires early re-arms itself.
   */
  private void schedule(ChannelHandlerContext ctx) {
    long deadline = deadline();
    if (failed || deadline == NO_DEADLINE || (timer != null && timerDeadline - deadline <= 0)) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timerDeadline = deadline;
    timer = ctx.executor().schedule(() -> onTimer(ctx), Math.max(0, deadline - now(ctx)), TimeUnit.NANOSECONDS);
  }

  private void onTimer(ChannelHandlerContext ctx) {
    timer = null;
    if (failed || !ctx.channel().isActive()) {
      return;
    }
    long deadline = deadline();
    if (deadline == NO_DEADLINE) {
      return;
    }
    if (!ctx.channel().config().isAutoRead()) {
      // This node stopped reading (its answers to the peer pile up unread): the silence is
      // ours, not the sender's, so the clock restarts once reading does.
      lastProgressNanos = now(ctx);
      schedule(ctx);
      return;
    }
    if (now(ctx) - deadline < 0) {
      schedule(ctx);
      return;
    }
    ByteBuf pending = internalBuffer();
    if (pending.isReadable()) {
      ctx.fireExceptionCaught(
          fail(
              ctx,
              pending,
              new EnvelopeCodec.StalledFrameException(
                  "no byte of the frame in progress arrived for " + limits.stallTimeout().toMillis() + " ms ("
                      + pending.readableBytes() + " bytes received); closing")));
    } else {
      failed = true;
      releaseAll();
      ctx.close();
    }
  }

  private static long now(ChannelHandlerContext ctx) {
    return ctx.executor().ticker().nanoTime();
  }
}

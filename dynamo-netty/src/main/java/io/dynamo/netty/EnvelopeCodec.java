package io.dynamo.netty;

import com.google.protobuf.CodedOutputStream;
import io.dynamo.proto.v1.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.io.IOException;

/**
 * The frame format: a 4-byte big-endian length, then a protobuf {@link Envelope}. Frames longer
 * than the limit are refused as soon as their length is read, before any of the body is buffered;
 * the first frame that cannot be read ends the connection's input ({@link EnvelopeDecoder}).
 */
public final class EnvelopeCodec {
  private static final String DECODER = "decoder";

  private EnvelopeCodec() {}

  /** Installs the codec with only the frame size limited (the client library's connections). */
  public static void install(ChannelPipeline pipeline, int maxFrameBytes) {
    install(pipeline, FrameLimits.frameSizeOnly(maxFrameBytes));
  }

  public static void install(ChannelPipeline pipeline, FrameLimits limits) {
    // Many small envelopes are written from other threads; batch their flushes into fewer syscalls.
    pipeline.addLast("flushes", new FlushConsolidationHandler(256, true));
    pipeline.addLast(DECODER, new EnvelopeDecoder(limits));
    pipeline.addLast("encoder", new Encoder());
  }

  /**
   * Marks {@code channel}'s sender as a proven peer: from now on its incomplete frames count against
   * {@code peerBudget} (not the budget it was installed with, which anyone who can connect shares),
   * and it is never closed for being idle, since connections between nodes may be quiet for long
   * stretches by design. Call on the channel's event loop.
   */
  public static void trustAsPeer(Channel channel, PendingFrameBudget peerBudget) {
    ChannelHandlerContext ctx = channel.pipeline().context(DECODER);
    if (ctx != null) {
      ((EnvelopeDecoder) ctx.handler()).trustAsPeer(ctx, peerBudget);
    }
  }

  /** Thrown when a frame's body is not an envelope; the connection cannot be trusted after it. */
  public static final class MalformedFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedFrameException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A frame in progress received no byte for the stall timeout. */
  public static final class StalledFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    StalledFrameException(String message) {
      super(message);
    }
  }

  /** Buffering more of an incomplete frame would pass the node's budget for such bytes. */
  public static final class PendingBytesExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    PendingBytesExceededException(String message) {
      super(message);
    }
  }

  private static final class Encoder extends MessageToByteEncoder<Envelope> {
    Encoder() {
      super(Envelope.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Envelope msg, ByteBuf out) throws IOException {
      int size = msg.getSerializedSize();
      out.ensureWritable(4 + size);
      out.writeInt(size);
      if (out.nioBufferCount() == 1) {
        // Written straight into the outgoing buffer, without a stream and its own byte[] buffer.
        CodedOutputStream coded = CodedOutputStream.newInstance(out.nioBuffer(out.writerIndex(), size));
        msg.writeTo(coded);
        coded.checkNoSpaceLeft();
        out.writerIndex(out.writerIndex() + size);
        return;
      }
      try (ByteBufOutputStream os = new ByteBufOutputStream(out)) {
        msg.writeTo(os);
      }
    }
  }
}

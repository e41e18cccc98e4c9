package io.dynamo.netty;

import com.google.protobuf.CodedOutputStream;
import io.dynamo.proto.v1.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.io.IOException;
import java.util.List;

/**
 * The frame format: a 4-byte big-endian length, then a protobuf {@link Envelope}. Frames longer
 * than the limit are refused as soon as their length is read, before any of the body is buffered.
 */
public final class EnvelopeCodec {
  private EnvelopeCodec() {}

  public static void install(ChannelPipeline pipeline, int maxFrameBytes) {
    // Many small envelopes are written from other threads; batch their flushes into fewer syscalls.
    pipeline.addLast("flushes", new FlushConsolidationHandler(256, true));
    pipeline.addLast("frames", new LengthFieldBasedFrameDecoder(maxFrameBytes, 0, 4, 0, 4, true));
    pipeline.addLast("decoder", new Decoder());
    pipeline.addLast("encoder", new Encoder());
  }

  /** Thrown when a frame's body is not an envelope; the connection cannot be trusted after it. */
  public static final class MalformedFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedFrameException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final class Decoder extends MessageToMessageDecoder<ByteBuf> {
    Decoder() {
      super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out)
        throws IOException {
      try {
        // Parsed straight from the frame's memory (no stream, no intermediate copy); bytes fields
        // are copied out, so nothing refers to the frame once it is released.
        out.add(
            frame.nioBufferCount() == 1
                ? Envelope.parseFrom(frame.nioBuffer())
                : Envelope.parseFrom(new ByteBufInputStream(frame)));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new MalformedFrameException("frame is not a valid envelope: " + e.getMessage(), e);
      }
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

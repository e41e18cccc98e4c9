package io.dynamo.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.proto.v1.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The frame decoder on an embedded channel, with time under the test's control. */
class EnvelopeDecoderTest {
  static final int MAX_FRAME = 64 * 1024;
  static final Duration IDLE = Duration.ofSeconds(60);
  static final Duration STALL = Duration.ofSeconds(5);

  final PendingFrameBudget budget = new PendingFrameBudget("test connections", 4 * MAX_FRAME);

  EmbeddedChannel channel(FrameLimits limits) {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new ChannelInitializer<EmbeddedChannel>() {
              @Override
              protected void initChannel(EmbeddedChannel c) {
                EnvelopeCodec.install(c.pipeline(), limits);
              }
            });
    ch.freezeTime();
    return ch;
  }

  EmbeddedChannel channel() {
    return channel(new FrameLimits(MAX_FRAME, IDLE, STALL, budget));
  }

  static Envelope envelope(long requestId) {
    return Envelope.newBuilder().setProtocolVersion(1).setRequestId(requestId).build();
  }

  static ByteBuf frame(byte[] body) {
    return Unpooled.buffer().writeInt(body.length).writeBytes(body);
  }

  static ByteBuf frames(ByteBuf... parts) {
    return Unpooled.wrappedBuffer(parts);
  }

  @Test
  void framesBeforeABadOneAreDecodedAndNothingAfterIt() {
    EmbeddedChannel ch = channel();
    ByteBuf input =
        frames(
            frame(envelope(1).toByteArray()),
            frame(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}),
            frame(envelope(2).toByteArray()),
            frame(envelope(3).toByteArray()));
    assertThatThrownBy(() -> ch.writeInbound(input))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(EnvelopeCodec.MalformedFrameException.class);
    assertThat(ch.<Envelope>readInbound().getRequestId()).isEqualTo(1);
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(ch.config().isAutoRead()).isFalse();

    // Whatever arrives later is dropped unread, even a perfectly good frame.
    ch.writeInbound(frame(envelope(4).toByteArray()));
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(budget.held()).isZero();
    ch.finishAndReleaseAll();
  }

  @Test
  void aLengthPrefixIsReadUnsignedAndRefusedBeforeTheBody() {
    EmbeddedChannel ch = channel();
    ByteBuf input = Unpooled.buffer().writeInt(-1).writeBytes(frame(envelope(1).toByteArray()));
    assertThatThrownBy(() -> ch.writeInbound(input))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessageContaining("4294967295")
        .hasMessageContaining(String.valueOf(MAX_FRAME));
    assertThat((Object) ch.readInbound()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void aFrameSplitOverManyReadsIsDecodedAndItsReservationReturned() {
    EmbeddedChannel ch = channel();
    byte[] body = Envelope.newBuilder().setRequestId(9).setProtocolVersion(1).build().toByteArray();
    ByteBuf whole = frame(body);
    while (whole.isReadable()) {
      ch.writeInbound(whole.readRetainedSlice(1));
      if (whole.isReadable()) {
        assertThat(budget.held()).isPositive();
      }
    }
    whole.release();
    assertThat(ch.<Envelope>readInbound().getRequestId()).isEqualTo(9);
    assertThat(budget.held()).isZero();
    ch.finishAndReleaseAll();
  }

  @Test
  void aFrameThatStallsIsFailedAndItsBytesReleased() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(Unpooled.buffer().writeInt(1000).writeBytes(new byte[300]));
    assertThat(budget.held()).isPositive();

    // Progress resets the stall clock.
    ch.advanceTimeBy(STALL.toMillis() - 1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[100]));
    ch.advanceTimeBy(STALL.toMillis() - 1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.checkException();
    assertThat(ch.isActive()).isTrue();

    ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThatThrownBy(ch::checkException)
        .isInstanceOf(EnvelopeCodec.StalledFrameException.class)
        .hasMessageContaining("404 bytes received"); // length prefix included
    assertThat(budget.held()).isZero();
    assertThat(ch.config().isAutoRead()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void aFrameIsNotStalledWhileThisNodeHasStoppedReading() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(Unpooled.buffer().writeInt(1000).writeBytes(new byte[300]));
    // The node stops reading (its answers are not being read): however long that lasts, the
    // sender is not to blame for the frame's silence.
    ch.config().setAutoRead(false);
    for (int i = 0; i < 5; i++) {
      ch.advanceTimeBy(STALL.toMillis(), TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
    }
    ch.checkException();
    assertThat(ch.isActive()).isTrue();

    // Reading again, the clock runs from then.
    ch.config().setAutoRead(true);
    ch.advanceTimeBy(2 * STALL.toMillis() + 1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.runScheduledPendingTasks();
    assertThatThrownBy(ch::checkException).isInstanceOf(EnvelopeCodec.StalledFrameException.class);
    ch.finishAndReleaseAll();
  }

  @Test
  void anIdleConnectionIsClosedUnlessIdlenessIsAllowed() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(frame(envelope(1).toByteArray()));
    ch.<Envelope>readInbound();
    ch.advanceTimeBy(IDLE.toMillis() - 1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();

    EmbeddedChannel peer = channel();
    EnvelopeCodec.trustAsPeer(peer, new PendingFrameBudget("peers", MAX_FRAME));
    peer.advanceTimeBy(10 * IDLE.toMillis(), TimeUnit.MILLISECONDS);
    peer.runScheduledPendingTasks();
    assertThat(peer.isOpen()).isTrue();
    peer.finishAndReleaseAll();
  }

  @Test
  void aProvenPeerMovesToThePeersBudget() {
    PendingFrameBudget peers = new PendingFrameBudget("peers", 4 * MAX_FRAME);
    EmbeddedChannel ch = channel();
    ByteBuf whole =
        frame(
            Envelope.newBuilder()
                .setRequestId(5)
                .setPutRequest(
                    io.dynamo.proto.v1.PutRequest.newBuilder()
                        .setValue(com.google.protobuf.ByteString.copyFrom(new byte[1000])))
                .build()
                .toByteArray());
    ch.writeInbound(whole.readRetainedSlice(300));
    long held = budget.held();
    assertThat(held).isPositive();
    EnvelopeCodec.trustAsPeer(ch, peers);
    assertThat(budget.held()).isZero();
    assertThat(peers.held()).isEqualTo(held);
    ch.writeInbound(whole);
    assertThat(ch.<Envelope>readInbound().getRequestId()).isEqualTo(5);
    assertThat(peers.held()).isZero();
    assertThat(budget.held()).isZero();
    ch.finishAndReleaseAll();
  }

  @Test
  void connectionsThatTogetherPassTheBudgetAreClosedAndOthersGoOn() {
    PendingFrameBudget small = new PendingFrameBudget("test connections", 2 * MAX_FRAME);
    FrameLimits limits = new FrameLimits(MAX_FRAME, IDLE, STALL, small);
    EmbeddedChannel first = channel(limits);
    EmbeddedChannel second = channel(limits);
    EmbeddedChannel third = channel(limits);
    // Each announces a frame near the limit and sends most of it.
    first.writeInbound(Unpooled.buffer().writeInt(MAX_FRAME).writeBytes(new byte[MAX_FRAME - 100]));
    second.writeInbound(Unpooled.buffer().writeInt(MAX_FRAME).writeBytes(new byte[MAX_FRAME - 100]));
    assertThat(small.held()).isLessThanOrEqualTo(small.limit());
    assertThatThrownBy(
            () -> third.writeInbound(Unpooled.buffer().writeInt(MAX_FRAME).writeBytes(new byte[MAX_FRAME - 100])))
        .isInstanceOf(EnvelopeCodec.PendingBytesExceededException.class)
        .hasMessageContaining("test connections");
    assertThat(third.config().isAutoRead()).isFalse();

    // Once one of the others goes away, its bytes are free again for new frames.
    long held = small.held();
    first.close();
    assertThat(small.held()).isLessThan(held);
    second.finishAndReleaseAll();
    assertThat(small.held()).isZero();
    third.finishAndReleaseAll();
    first.finishAndReleaseAll();
  }
}

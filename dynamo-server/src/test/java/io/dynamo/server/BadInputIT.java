package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.InvalidRequestException;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.PutRequest;
import io.dynamo.proto.v1.Quorum;
import io.dynamo.proto.v1.ReplicaReadRequest;
import io.dynamo.proto.v1.StatusCode;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client sends can fail its own request or close its own connection, never harm the node:
 * after every kind of bad input, other clients are still served and earlier data is intact.
 */
class BadInputIT {
  private static final int MAX_VALUE = 64 * 1024;
  private static final int MAX_FRAME = 1 << 20;

  @TempDir static Path dir;
  static MiniCluster cluster;
  static DynamoClient goodClient;

  @BeforeAll
  static void start() {
    cluster =
        MiniCluster.start(
            3,
            dir,
            p -> {
              p.setProperty("bucket.default.max-value-size", String.valueOf(MAX_VALUE));
              p.setProperty("limits.max-frame-size", String.valueOf(MAX_FRAME));
            });
    goodClient = cluster.client(0);
    goodClient.put("bad", "existing", Context.NONE, "precious".getBytes(UTF_8));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @AfterEach
  void nodeStillServesAndDataIsIntact() {
    assertThat(new String(goodClient.get("bad", "existing").value(), UTF_8)).isEqualTo("precious");
    String key = "after-" + System.nanoTime();
    goodClient.put("bad", key, Context.NONE, "ok".getBytes(UTF_8));
    assertThat(goodClient.get("bad", key).found()).isTrue();
  }

  @Test
  void malformedFrameGetsAnErrorAndTheConnectionIsClosed() throws Exception {
    try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
      raw.sendFrame(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
      Envelope answer = raw.receive();
      assertThat(answer.getError().getCode()).isEqualTo(StatusCode.MALFORMED_FRAME);
      assertThat(answer.getError().getMessage()).isNotBlank();
      assertThat(raw.closedByPeer()).isTrue();
    }
  }

  @Test
  void oversizedFrameIsRefusedBeforeItsBodyIsRead() throws Exception {
    try (RawConnection raw = new RawConnection(cluster.clientAddress(1))) {
      raw.sendRaw(new byte[] {0x7f, 0x00, 0x00, 0x00}); // announces a 2 GiB frame
      Envelope answer = raw.receive();
      assertThat(answer.getError().getCode()).isEqualTo(StatusCode.FRAME_TOO_LARGE);
      assertThat(raw.closedByPeer()).isTrue();
    }
  }

  @Test
  void garbageBytesCloseTheConnection() throws Exception {
    byte[] garbage = new byte[4096];
    new Random(42).nextBytes(garbage);
    garbage[0] = 0x00; // a plausible length so the decoder reads on
    try (RawConnection raw = new RawConnection(cluster.clientAddress(2))) {
      raw.sendRaw(garbage);
      // Either an error envelope and then the close, or just the close.
      assertThat(closesWithOptionalError(raw)).isTrue();
    }
  }

  @Test
  void garbageOnThePeerPortClosesThatConnectionOnly() throws Exception {
    String peer = "127.0.0.1:" + cluster.node(0).peerAddress().getPort();
    try (RawConnection raw = new RawConnection(peer)) {
      raw.send(
          Envelope.newBuilder()
              .setProtocolVersion(1)
              .setReplicaReadRequest(ReplicaReadRequest.newBuilder().setOpId(1).setBucket("bad"))
              .build());
      assertThat(raw.closedByPeer()).isTrue(); // no hello first: not a peer
    }
  }

  @Test
  void oversizedValueIsRefusedWithAClearError() {
    byte[] big = new byte[MAX_VALUE + 1];
    assertThatThrownBy(() -> goodClient.put("bad", "big", Context.NONE, big))
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e -> assertThat(e.code()).isEqualTo("VALUE_TOO_LARGE"))
        .hasMessageContaining(String.valueOf(MAX_VALUE));
    assertThat(goodClient.get("bad", "big").found()).isFalse();
  }

  @Test
  void unknownMessageTypeGetsAnErrorAndTheConnectionStaysUsable() throws Exception {
    try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
      // Field 99 is no body this version knows: a message type from a newer protocol.
      byte[] unknownBody =
          Envelope.newBuilder().setProtocolVersion(1).setRequestId(7).build().toByteArray();
      byte[] withUnknownField = new byte[unknownBody.length + 3];
      System.arraycopy(unknownBody, 0, withUnknownField, 0, unknownBody.length);
      withUnknownField[unknownBody.length] = (byte) 0x98; // tag 99, varint: (99 << 3) = 792
      withUnknownField[unknownBody.length + 1] = 0x06;
      withUnknownField[unknownBody.length + 2] = 0x01;
      raw.sendFrame(withUnknownField);
      Envelope answer = raw.receive();
      assertThat(answer.getRequestId()).isEqualTo(7);
      assertThat(answer.getError().getCode()).isEqualTo(StatusCode.UNKNOWN_MESSAGE);

      // A peer-only message on the client port is refused the same way.
      raw.send(
          Envelope.newBuilder()
              .setProtocolVersion(1)
              .setRequestId(8)
              .setReplicaReadRequest(ReplicaReadRequest.newBuilder().setOpId(1))
              .build());
      assertThat(raw.receive().getError().getCode()).isEqualTo(StatusCode.UNKNOWN_MESSAGE);

      // The same connection still serves a good request.
      raw.send(
          Envelope.newBuilder()
              .setProtocolVersion(1)
              .setRequestId(9)
              .setGetRequest(
                  GetRequest.newBuilder().setBucket("bad").setKey(ByteString.copyFromUtf8("existing")))
              .build());
      Envelope good = raw.receive();
      assertThat(good.getRequestId()).isEqualTo(9);
      assertThat(good.getGetResponse().getValues(0).toStringUtf8()).isEqualTo("precious");
    }
  }

  @Test
  void unsupportedProtocolVersionIsRefused() throws Exception {
    try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
      raw.send(
          Envelope.newBuilder()
              .setProtocolVersion(99)
              .setRequestId(3)
              .setGetRequest(GetRequest.newBuilder().setBucket("bad").setKey(ByteString.copyFromUtf8("k")))
              .build());
      assertThat(raw.receive().getError().getCode()).isEqualTo(StatusCode.UNSUPPORTED_VERSION);
    }
  }

  @Test
  void corruptContextIsRefusedAndNothingIsWritten() throws Exception {
    try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
      raw.send(
          Envelope.newBuilder()
              .setProtocolVersion(1)
              .setRequestId(5)
              .setPutRequest(
                  PutRequest.newBuilder()
                      .setBucket("bad")
                      .setKey(ByteString.copyFromUtf8("existing"))
                      .setContext(ByteString.copyFrom(new byte[] {1, 5, 9, 9, 9}))
                      .setValue(ByteString.copyFromUtf8("overwrite")))
              .build());
      Envelope answer = raw.receive();
      assertThat(answer.getError().getCode()).isEqualTo(StatusCode.BAD_CONTEXT);
    }
    assertThatThrownBy(
            () ->
                goodClient.put(
                    "bad", "existing", Context.parse("AQUJCQk"), "overwrite".getBytes(UTF_8)))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.code()).isEqualTo("BAD_CONTEXT"));
  }

  @Test
  void emptyKeyIsRefused() {
    assertThatThrownBy(() -> goodClient.put("bad", "", Context.NONE, new byte[1]))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.code()).isEqualTo("INVALID_ARGUMENT"));
  }

  @Test
  void nothingAfterAMalformedFrameIsExecuted() throws Exception {
    String key = "after-bad-frame-" + System.nanoTime();
    ByteArrayOutputStream oneWrite = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(oneWrite);
    byte[] bad = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
    out.writeInt(bad.length);
    out.write(bad);
    byte[] put = put(11, key, ByteString.EMPTY).toByteArray();
    out.writeInt(put.length);
    out.write(put);
    byte[] get = get(12, key, 0).toByteArray();
    out.writeInt(get.length);
    out.write(get);
    try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
      raw.sendRaw(oneWrite.toByteArray());
      Envelope answer = raw.receive();
      assertThat(answer.getError().getCode()).isEqualTo(StatusCode.MALFORMED_FRAME);
      assertThat(raw.closedByPeer()).isTrue();
    }
    // The put in the same packet was never decoded, so never applied, on any node.
    for (int i = 0; i < 3; i++) {
      assertThat(cluster.client(i).get("bad", key).found()).isFalse();
    }
  }

  @Test
  void aContextClaimingHugeCountersIsRefusedAndTheKeyStaysWritable() throws Exception {
    String key = "huge-counter-" + System.nanoTime();
    NodeId coordinator = NodeId.of(MiniCluster.id(0));
    try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
      long id = 20;
      for (long counter : new long[] {Long.MAX_VALUE - 1, Long.MAX_VALUE, (1L << 62) + 1}) {
        for (NodeId node : List.of(coordinator, NodeId.of(MiniCluster.id(1)))) {
          ByteString context =
              ByteString.copyFrom(
                  VersionCodec.encodeClock(VectorClock.of(new Dot(node, counter, System.currentTimeMillis()))));
          raw.send(put(id, key, context));
          Envelope answer = raw.receive();
          assertThat(answer.getRequestId()).isEqualTo(id++);
          assertThat(answer.getError().getCode()).as("counter %d for %s", counter, node)
              .isEqualTo(StatusCode.BAD_CONTEXT);
        }
      }
      // Nothing was written, and the key (and the node's counter) still work: blind, and with
      // the context a read hands out, through the same node, many times over.
      assertThat(goodClient.get("bad", key).found()).isFalse();
      for (int i = 0; i < 3; i++) {
        raw.send(put(id, key, ByteString.EMPTY));
        assertThat(raw.receive().hasPutResponse()).isTrue();
        id++;
      }
    }
    for (int i = 0; i < 3; i++) {
      GetResult read = goodClient.get("bad", key);
      goodClient.put("bad", key, read.context(), ("v" + i).getBytes(UTF_8));
    }
    assertThat(goodClient.get("bad", key).values()).hasSize(1);
  }

  @Test
  void quorumsPast2To31AreShownAsSent() throws Exception {
    try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
      raw.send(get(30, "existing", -1));
      Envelope answer = raw.receive();
      assertThat(answer.getError().getCode()).isEqualTo(StatusCode.INVALID_ARGUMENT);
      assertThat(answer.getError().getMessage()).contains("r=4294967295").doesNotContain("-1");
      raw.send(get(31, "existing", Integer.MIN_VALUE));
      assertThat(raw.receive().getError().getMessage()).contains("r=2147483648");
    }
  }

  private static Envelope put(long id, String key, ByteString context) {
    return Envelope.newBuilder()
        .setProtocolVersion(1)
        .setRequestId(id)
        .setPutRequest(
            PutRequest.newBuilder()
                .setBucket("bad")
                .setKey(ByteString.copyFromUtf8(key))
                .setContext(context)
                .setValue(ByteString.copyFromUtf8("v")))
        .build();
  }

  private static Envelope get(long id, String key, int r) {
    return Envelope.newBuilder()
        .setProtocolVersion(1)
        .setRequestId(id)
        .setGetRequest(
            GetRequest.newBuilder()
                .setBucket("bad")
                .setKey(ByteString.copyFromUtf8(key))
                .setQuorum(Quorum.newBuilder().setR(r)))
        .build();
  }

  private static boolean closesWithOptionalError(RawConnection raw) throws Exception {
    try {
      Envelope answer = raw.receive();
      if (!answer.hasError()) {
        return false;
      }
    } catch (java.io.EOFException | java.net.SocketException e) {
      return true;
    }
    return raw.closedByPeer();
  }
}

package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.RequestOptions;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.StatusCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that hold the node's resources without finishing what they send: idle ones, frames
 * that stall halfway, and many slow frames at once (which once ran a node out of direct memory and
 * made its failure detectors flap). Short limits, so that the tests are quick.
 */
class SlowInputIT {
  private static final int MAX_FRAME = 1 << 20;
  private static final long BUDGET = 4L * MAX_FRAME;
  private static final Duration IDLE = Duration.ofSeconds(2);
  private static final Duration STALL = Duration.ofSeconds(1);

  @TempDir static Path dir;
  static MiniCluster cluster;

  @BeforeAll
  static void start() {
    cluster =
        MiniCluster.start(
            3,
            dir,
            p -> {
              p.setProperty("bucket.default.max-value-size", "64KiB");
              p.setProperty("limits.max-frame-size", String.valueOf(MAX_FRAME));
              p.setProperty("network.idle-timeout", IDLE.toMillis() + "ms");
              p.setProperty("network.frame-stall-timeout", STALL.toMillis() + "ms");
              p.setProperty("network.max-pending-frame-bytes", String.valueOf(BUDGET));
            });
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void anIdleClientConnectionIsClosedAndABusyOneIsNot() throws Exception {
    try (RawConnection idle = new RawConnection(cluster.clientAddress(0));
        RawConnection busy = new RawConnection(cluster.clientAddress(0))) {
      long started = System.nanoTime();
      long id = 1;
      // The busy one asks something every 500 ms, for longer than the idle timeout.
      while (System.nanoTime() - started < IDLE.toNanos() + STALL.toNanos()) {
        busy.send(get(id++));
        assertThat(busy.receive().hasGetResponse()).isTrue();
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
      }
      assertThat(idle.closedByPeer()).isTrue();
      busy.send(get(id));
      assertThat(busy.receive().getRequestId()).isEqualTo(id);
    }
  }

  @Test
  void aFrameThatStallsHalfwayIsAnsweredWithTimeoutAndClosed() throws Exception {
    try (RawConnection raw = new RawConnection(cluster.clientAddress(1))) {
      raw.sendRaw(new byte[] {0, 8, 0, 0}); // announces 512 KiB
      raw.sendRaw(new byte[100_000]);
      long sent = System.nanoTime();
      Envelope answer = raw.receive();
      assertThat(answer.getError().getCode()).isEqualTo(StatusCode.TIMEOUT);
      assertThat(answer.getError().getMessage()).contains("100004 bytes received");
      // The node's clock started when it read the bytes, possibly a moment before "sent".
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThan(STALL.dividedBy(2));
      assertThat(raw.closedByPeer()).isTrue();
    }
  }

  @Test
  void strangersOnThePeerPortShareTheClientsBudgetNotThePeers() throws Exception {
    DynamoServer node = cluster.node(1);
    try (RawConnection stranger = new RawConnection("127.0.0.1:" + node.peerAddress().getPort())) {
      stranger.sendRaw(new byte[] {0, 8, 0, 0}); // announces 512 KiB, sends 200 KB, goes quiet
      stranger.sendRaw(new byte[200_000]);
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> node.clientPendingFrameBytes() >= 200_000);
      assertThat(node.peerPendingFrameBytes()).isLessThan(200_000);
      assertThat(stranger.receive().getError().getCode()).isEqualTo(StatusCode.TIMEOUT);
    }
  }

  @Test
  void manySlowFramesCannotTakeMoreThanTheBudgetAndPeersAreNotStarved() throws Exception {
    cluster.client(2).put("slow", "before", Context.NONE, "v".getBytes(UTF_8));
    DynamoServer node = cluster.node(2);
    List<RawConnection> slow = new ArrayList<>();
    int allowed = 0;
    try {
      // 12 connections each send 700 KiB of a 1 MiB frame and go quiet: 8.4 MiB against a
      // 4 MiB budget.
      for (int i = 0; i < 12; i++) {
        RawConnection raw = new RawConnection(cluster.clientAddress(2));
        slow.add(raw);
        try {
          raw.sendRaw(new byte[] {0, 16, 0, 0});
          raw.sendRaw(new byte[700 * 1024]);
        } catch (java.io.IOException closedWhileSending) {
          // refused before all of it was written
        }
        assertThat(node.clientPendingFrameBytes()).isLessThanOrEqualTo(BUDGET);
      }
      // Those past the budget are told OVERLOADED (or reset, when the close overtakes the
      // answer); those within it wait for their stall timeout. Every one is closed.
      for (RawConnection raw : slow) {
        StatusCode outcome = outcome(raw);
        if (outcome == StatusCode.TIMEOUT) {
          allowed++;
        } else {
          assertThat(outcome).isIn(StatusCode.OVERLOADED, StatusCode.STATUS_UNSPECIFIED);
        }
        assertThat(raw.closedByPeer()).isTrue();
      }
    } finally {
      for (RawConnection raw : slow) {
        raw.close();
      }
    }
    assertThat(allowed).isLessThanOrEqualTo((int) (BUDGET / (700 * 1024)));
    await().atMost(Duration.ofSeconds(10)).until(() -> node.clientPendingFrameBytes() == 0);
    // Writes needing every replica (peer traffic through the node under attack) still succeed,
    // and no peer was suspected meanwhile.
    DynamoClient client = cluster.client(2);
    client.put("slow", utf8("after"), Context.NONE, "v".getBytes(UTF_8), RequestOptions.w(3));
    assertThat(cluster.client(0).get("slow", "after").found()).isTrue();
    for (int i = 0; i < 3; i++) {
      for (var member : cluster.client(i).status().members()) {
        assertThat(member.up()).as("%s as seen by node %d", member.nodeId(), i).isTrue();
      }
    }
    // With the slow connections gone, the whole budget is free again: a full-size frame gets in.
    try (RawConnection raw = new RawConnection(cluster.clientAddress(2))) {
      raw.sendFrame(new byte[MAX_FRAME - 100]); // not an envelope; it must be read to know that
      assertThat(raw.receive().getError().getCode()).isEqualTo(StatusCode.MALFORMED_FRAME);
    }
  }

  /** The error a connection was closed with; STATUS_UNSPECIFIED when it was reset without one. */
  private static StatusCode outcome(RawConnection raw) {
    try {
      return raw.receive().getError().getCode();
    } catch (java.io.IOException reset) {
      return StatusCode.STATUS_UNSPECIFIED;
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private static Envelope get(long id) {
    return Envelope.newBuilder()
        .setProtocolVersion(1)
        .setRequestId(id)
        .setGetRequest(GetRequest.newBuilder().setBucket("slow").setKey(ByteString.copyFromUtf8("k")))
        .build();
  }
}

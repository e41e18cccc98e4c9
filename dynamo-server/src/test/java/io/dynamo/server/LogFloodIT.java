package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.google.protobuf.ByteString;
import io.dynamo.client.Context;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.PeerHello;
import io.dynamo.proto.v1.ReplicaReadRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A flood of bad input grows the log by a bounded amount: warnings about remote input are
 * rate-limited per kind, escaped (no control characters reach the log, so no forged lines), and
 * never carry a stack trace. Before, 200,000 random frames wrote 46 MB of log in 11 seconds, and a
 * peer read with a bucket name over 255 bytes logged a stack trace at ERROR for each.
 */
class LogFloodIT {
  private static final String EVIL = "\u001b[31mevil\r\nWARN forged line\u0000";

  @TempDir static Path dir;
  static MiniCluster cluster;
  static final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  static final AppenderBase<ILoggingEvent> capture =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            events.add(event);
          }
        }
      };

  @BeforeAll
  static void start() {
    cluster = MiniCluster.start(3, dir);
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    capture.setContext(logging);
    capture.start();
    logging.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
  }

  @AfterAll
  static void stop() {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    logging.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(capture);
    cluster.close();
  }

  @Test
  void aFloodOfBadInputWritesABoundedEscapedLogWithoutStackTraces() throws Exception {
    events.clear();
    int sent = 0;
    Random random = new Random(7);
    // Garbage frames on the client port, one connection each (a connection ends at its first).
    for (int i = 0; i < 1500; i++) {
      byte[] garbage = new byte[64];
      random.nextBytes(garbage);
      try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
        raw.sendFrame(garbage);
        raw.closedByPeer();
      }
      sent++;
    }
    String peerPort = "127.0.0.1:" + cluster.node(0).peerAddress().getPort();
    // Hellos from "nodes" whose ids are terminal escapes and fake log lines.
    for (int i = 0; i < 300; i++) {
      try (RawConnection raw = new RawConnection(peerPort)) {
        raw.send(hello(EVIL + i));
        raw.closedByPeer();
      }
      sent++;
    }
    // Replica reads with a bucket name no replica can store, from a connection claiming a member.
    try (RawConnection raw = new RawConnection(peerPort)) {
      raw.send(hello(MiniCluster.id(1)));
      for (int i = 0; i < 500; i++) {
        raw.send(
            Envelope.newBuilder()
                .setProtocolVersion(1)
                .setReplicaReadRequest(
                    ReplicaReadRequest.newBuilder()
                        .setOpId(i + 1)
                        .setBucket("b".repeat(300) + EVIL)
                        .setKey(ByteString.copyFromUtf8("k")))
                .build());
        sent++;
      }
    }

    // The node still serves.
    cluster.client(0).put("flood", "k", Context.NONE, "v".getBytes(UTF_8));
    assertThat(cluster.client(1).get("flood", "k").found()).isTrue();

    long bytes = events.stream().mapToLong(e -> e.getFormattedMessage().length()).sum();
    assertThat(sent).isEqualTo(2300);
    // Ten per kind per ten seconds, per logging instance, plus the "suppressed N" summaries.
    assertThat(events).hasSizeLessThan(150);
    assertThat(bytes).isLessThan(64 * 1024);
    assertThat(events).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
    assertThat(events)
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContainPattern("[\\x00-\\x1f\\x7f]"));
    assertThat(events).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("\\x1b[31mevil\\x0d\\x0a"));
  }

  private static Envelope hello(String nodeId) {
    return Envelope.newBuilder()
        .setProtocolVersion(1)
        .setPeerHello(PeerHello.newBuilder().setNodeId(nodeId).setIncarnation(1))
        .build();
  }
}

package io.dynamo.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that asks for large values and never reads the answers: the node stops reading it,
 * keeps counting the unread answers against its limits, closes the connection once it has read
 * nothing for the stall timeout, and then holds nothing for it.
 */
class UnreadAnswersIT {
  @TempDir static Path dir;
  static MiniCluster cluster;

  @BeforeAll
  static void start() {
    cluster = MiniCluster.start(3, dir, p -> p.setProperty("network.frame-stall-timeout", "2s"));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aClientThatNeverReadsIsClosedAndItsSlotsAreGivenBack() throws Exception {
    DynamoClient client = cluster.client(0);
    client.put("big", "v", Context.NONE, new byte[1 << 20]);
    try (RawConnection raw = new RawConnection(cluster.clientAddress(0))) {
      for (int i = 1; i <= 100; i++) {
        raw.send(
            Envelope.newBuilder()
                .setProtocolVersion(1)
                .setRequestId(i)
                .setGetRequest(GetRequest.newBuilder().setBucket("big").setKey(ByteString.copyFromUtf8("v")))
                .build());
      }
      // 100 MiB of answers cannot all leave: the unread ones hold their slots meanwhile...
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node(0).admittedInFlight() > 0);
      // ...until the node gives up on the client, closes it, and lets go of everything.
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> cluster.node(0).admittedInFlight() == 0);
      assertThat(raw.closedByPeerAfterDraining()).isTrue();
    }
    assertThat(cluster.scrapeMetrics(0)).contains("dynamo_client_request_bytes_in_flight{node=\"n1\"} 0.0");
  }
}

package io.dynamo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ErrorResponse;
import io.dynamo.proto.v1.StatusCode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against scripted fake nodes on loopback: timeouts, errors, retries. */
class DynamoClientTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void requestWithoutAnswerTimesOut() throws Exception {
    try (ServerSocket silent = fakeNode(request -> null);
        DynamoClient client = client(silent).timeout(Duration.ofMillis(300)).build()) {
      assertThatThrownBy(() -> client.get("b", "k"))
          .isInstanceOf(RequestTimeoutException.class)
          .hasMessageContaining("300 ms");
    }
  }

  @Test
  void requestsPastTheInFlightLimitFailAtOnceUnsentAndTheLimitFreesUp() throws Exception {
    try (ServerSocket silent = fakeNode(request -> null);
        DynamoClient client =
            client(silent).timeout(Duration.ofSeconds(2)).maxInFlightPerNode(3).build()) {
      java.util.List<java.util.concurrent.CompletableFuture<GetResult>> held = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        held.add(client.getAsync("b", ("k" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), RequestOptions.DEFAULT));
      }
      java.util.concurrent.CompletableFuture<GetResult> refused =
          client.getAsync("b", "k3".getBytes(java.nio.charset.StandardCharsets.UTF_8), RequestOptions.DEFAULT);
      assertThat(refused).isCompletedExceptionally();
      assertThatThrownBy(refused::join)
          .hasCauseInstanceOf(OverloadedException.class)
          .hasMessageContaining("this client's limit");
      // Once the held requests end (here by timing out), the slots are free again.
      for (var f : held) {
        assertThatThrownBy(f::join).hasCauseInstanceOf(RequestTimeoutException.class);
      }
      assertThatThrownBy(() -> client.get("b", "again"))
          .isInstanceOf(RequestTimeoutException.class);
    }
  }

  @Test
  void quorumErrorBecomesATypedExceptionWithCounts() throws Exception {
    Function<Envelope, Envelope> answer =
        request ->
            Envelope.newBuilder()
                .setRequestId(request.getRequestId())
                .setError(
                    ErrorResponse.newBuilder()
                        .setCode(StatusCode.QUORUM_UNAVAILABLE)
                        .setMessage("write needed 2 replicas, 1 answered in time")
                        .setRequired(2)
                        .setAcknowledged(1))
                .build();
    try (ServerSocket node = fakeNode(answer);
        DynamoClient client = client(node).build()) {
      assertThatThrownBy(() -> client.put("b", "k", Context.NONE, new byte[] {1}))
          .isInstanceOfSatisfying(
              QuorumUnavailableException.class,
              e -> {
                assertThat(e.required()).isEqualTo(2);
                assertThat(e.acknowledged()).isEqualTo(1);
                assertThat(e.isRetryable()).isTrue();
              });
    }
  }

  @Test
  void getMovesOnToTheNextNodeWhenOneCannotBeReached() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    Function<Envelope, Envelope> answer =
        request ->
            Envelope.newBuilder()
                .setRequestId(request.getRequestId())
                .setGetResponse(
                    io.dynamo.proto.v1.GetResponse.newBuilder()
                        .addValues(com.google.protobuf.ByteString.copyFromUtf8("v")))
                .build();
    try (ServerSocket live = fakeNode(answer);
        DynamoClient client =
            DynamoClient.builder().routing(DynamoClient.Routing.SERVER)
                .node("127.0.0.1:" + deadPort)
                .node("127.0.0.1:" + live.getLocalPort())
                .build()) {
      for (int i = 0; i < 4; i++) {
        assertThat(client.get("b", "k").value()).containsExactly('v');
      }
    }
  }

  private static Envelope putAnswer(Envelope request) {
    return Envelope.newBuilder()
        .setRequestId(request.getRequestId())
        .setPutResponse(io.dynamo.proto.v1.PutResponse.getDefaultInstance())
        .build();
  }

  @Test
  void anUnansweredPutIsSentToTheNextNodeWithTheSameWriteIdAndAttemptDeadlines() throws Exception {
    List<Envelope> seen = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = fakeNode(request -> { seen.add(request); return null; });
        ServerSocket live = fakeNode(request -> { seen.add(request); return putAnswer(request); });
        DynamoClient client =
            DynamoClient.builder().routing(DynamoClient.Routing.SERVER)
                .node("127.0.0.1:" + silent.getLocalPort())
                .node("127.0.0.1:" + live.getLocalPort())
                .timeout(Duration.ofSeconds(20))
                .attemptTimeout(Duration.ofMillis(200))
                .build()) {
      long before = System.currentTimeMillis();
      client.put("b", "k", Context.NONE, new byte[] {1});
      // Round robin starts at the silent node; the put is then sent to the live one.
      assertThat(seen).hasSize(2);
      io.dynamo.proto.v1.PutRequest first = seen.get(0).getPutRequest();
      io.dynamo.proto.v1.PutRequest retry = seen.get(1).getPutRequest();
      assertThat(first.getWriteId().size()).isEqualTo(16);
      assertThat(retry.getWriteId()).isEqualTo(first.getWriteId());
      // The first attempt's deadline is when the client moved on; the last gets the rest.
      assertThat(first.getDeadlineUnixMillis()).isBetween(before + 100, before + 1_000);
      assertThat(retry.getDeadlineUnixMillis()).isBetween(before + 19_000, before + 21_000);
      // The next put is a new write with its own id, and skips the node that failed to answer.
      client.put("b", "k", Context.NONE, new byte[] {2});
      assertThat(seen).hasSize(3);
      assertThat(seen.get(2).getPutRequest().getWriteId()).isNotEqualTo(first.getWriteId());
    }
  }

  @Test
  void aRefusalAfterAnUnansweredAttemptOfAWriteIsReportedAsMaybeApplied() throws Exception {
    try (ServerSocket silent = fakeNode(request -> null);
        ServerSocket refusing =
            fakeNode(
                request ->
                    Envelope.newBuilder()
                        .setRequestId(request.getRequestId())
                        .setError(
                            io.dynamo.proto.v1.ErrorResponse.newBuilder()
                                .setCode(io.dynamo.proto.v1.StatusCode.OVERLOADED)
                                .setMessage("overloaded, nothing done"))
                        .build());
        DynamoClient client =
            DynamoClient.builder().routing(DynamoClient.Routing.SERVER)
                .node("127.0.0.1:" + silent.getLocalPort())
                .node("127.0.0.1:" + refusing.getLocalPort())
                .timeout(Duration.ofSeconds(20))
                .attemptTimeout(Duration.ofMillis(200))
                .build()) {
      // The silent node may have applied the put: OVERLOADED from the next one would say
      // "nothing applied", which the client cannot know.
      assertThatThrownBy(() -> client.put("b", "k", Context.NONE, new byte[] {1}))
          .isInstanceOf(RequestTimeoutException.class)
          .hasMessageContaining("may have applied");
      // A get has nothing to be ambiguous about: the refusal is reported as it is.
      assertThatThrownBy(() -> client.get("b", "k")).isInstanceOf(OverloadedException.class);
    }
  }

  @Test
  void aPutThatCannotBeSentIsSentToAnotherNode() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    try (ServerSocket live = fakeNode(DynamoClientTest::putAnswer);
        DynamoClient client =
            DynamoClient.builder().routing(DynamoClient.Routing.SERVER)
                .node("127.0.0.1:" + deadPort)
                .node("127.0.0.1:" + live.getLocalPort())
                .build()) {
      for (int i = 0; i < 4; i++) {
        client.put("b", "k", Context.NONE, new byte[] {1});
      }
    }
  }

  @Test
  void anErrorAnswerIsFinal() throws Exception {
    List<Envelope> seen = new CopyOnWriteArrayList<>();
    Function<Envelope, Envelope> refuse =
        request -> {
          seen.add(request);
          return Envelope.newBuilder()
              .setRequestId(request.getRequestId())
              .setError(ErrorResponse.newBuilder().setCode(StatusCode.TIMEOUT).setMessage("late"))
              .build();
        };
    try (ServerSocket a = fakeNode(refuse);
        ServerSocket b = fakeNode(refuse);
        DynamoClient client =
            DynamoClient.builder().routing(DynamoClient.Routing.SERVER)
                .node("127.0.0.1:" + a.getLocalPort())
                .node("127.0.0.1:" + b.getLocalPort())
                .build()) {
      assertThatThrownBy(() -> client.put("b", "k", Context.NONE, new byte[] {1}))
          .isInstanceOf(RequestTimeoutException.class);
      assertThat(seen).hasSize(1);
    }
  }

  @Test
  void resolverMergesSiblings() throws Exception {
    Function<Envelope, Envelope> answer =
        request ->
            Envelope.newBuilder()
                .setRequestId(request.getRequestId())
                .setGetResponse(
                    io.dynamo.proto.v1.GetResponse.newBuilder()
                        .addValues(com.google.protobuf.ByteString.copyFromUtf8("a"))
                        .addValues(com.google.protobuf.ByteString.copyFromUtf8("b"))
                        .setContext(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 0})))
                .build();
    try (ServerSocket node = fakeNode(answer);
        DynamoClient plain = client(node).build();
        DynamoClient resolving =
            client(node)
                .siblingResolver(
                    siblings -> siblings.stream().map(String::new).sorted().reduce("", String::concat).getBytes())
                .build()) {
      assertThat(plain.get("b", "k").hasSiblings()).isTrue();
      GetResult resolved = resolving.get("b", "k");
      assertThat(new String(resolved.value())).isEqualTo("ab");
      assertThat(resolved.context().toBytes()).containsExactly(1, 0);
    }
  }

  @Test
  void contextTextFormRoundTrips() {
    Context c = Context.fromBytes(new byte[] {1, 2, 3, (byte) 250});
    assertThat(Context.parse(c.toString())).isEqualTo(c);
    assertThat(Context.parse("")).isSameAs(Context.NONE);
    assertThatThrownBy(() -> Context.parse("not base64 !")).isInstanceOf(IllegalArgumentException.class);
  }

  private static DynamoClient.Builder client(ServerSocket node) {
    return DynamoClient.builder().routing(DynamoClient.Routing.SERVER).node("127.0.0.1:" + node.getLocalPort());
  }

  /** A node that answers each request with {@code answer} (null: never answers). */
  private ServerSocket fakeNode(Function<Envelope, Envelope> answer) throws IOException {
    return FakeNode.start(pool, answer);
  }
}

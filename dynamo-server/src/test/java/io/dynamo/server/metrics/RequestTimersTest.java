package io.dynamo.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dynamo.core.node.Replies;
import io.dynamo.proto.v1.DeleteRequest;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.GetResponse;
import io.dynamo.proto.v1.PutRequest;
import io.dynamo.proto.v1.StatusCode;
import io.dynamo.proto.v1.StatusRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestTimersTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final RequestTimers timers = new RequestTimers(registry, Set.of("users"));

  @Test
  void timesEachOperationUnderItsBucketAndOutcome() {
    timers.answered(get("users"), ok(), TimeUnit.MILLISECONDS.toNanos(2));
    timers.answered(get("users"), ok(), TimeUnit.MILLISECONDS.toNanos(4));
    timers.answered(put("users"), Replies.error(1, StatusCode.OVERLOADED, "busy"), 1_000);
    timers.answered(delete("users"), ok(), 1_000);

    Timer gets = timer("get", "users", "ok");
    assertThat(gets.count()).isEqualTo(2);
    assertThat(gets.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(6.0);
    assertThat(gets.takeSnapshot().percentileValues()).hasSize(3);
    assertThat(timer("put", "users", "overloaded").count()).isOne();
    assertThat(timer("delete", "users", "ok").count()).isOne();
    assertThat(registry.find(RequestTimers.NAME).tag("op", "put").tag("outcome", "ok").timer())
        .isNull();
  }

  @Test
  void bucketsNotConfiguredShareOneTagWhateverTheirNames() {
    for (int i = 0; i < 100; i++) {
      timers.answered(put("made-up-" + i), ok(), 1_000);
    }
    assertThat(timer("put", RequestTimers.UNKNOWN_BUCKET, "ok").count()).isEqualTo(100);
    assertThat(registry.find(RequestTimers.NAME).timers()).hasSize(1);
  }

  @Test
  void requestsOtherThanGetPutDeleteAreNotTimed() {
    timers.answered(
        Replies.envelope(1).setStatusRequest(StatusRequest.getDefaultInstance()).build(), ok(), 1);
    assertThat(registry.find(RequestTimers.NAME).timers()).isEmpty();
  }

  @Test
  void theSameTimerIsUsedAgainOnceCreated() {
    timers.answered(get("users"), ok(), 1);
    Timer first = timer("get", "users", "ok");
    timers.answered(get("users"), ok(), 1);
    assertThat(timer("get", "users", "ok")).isSameAs(first);
  }

  private Timer timer(String op, String bucket, String outcome) {
    return registry.get(RequestTimers.NAME)
        .tag("op", op).tag("bucket", bucket).tag("outcome", outcome).timer();
  }

  private static Envelope ok() {
    return Replies.envelope(1).setGetResponse(GetResponse.getDefaultInstance()).build();
  }

  private static Envelope get(String bucket) {
    return Replies.envelope(1)
        .setGetRequest(GetRequest.newBuilder().setBucket(bucket).setKey(ByteString.copyFromUtf8("k")))
        .build();
  }

  private static Envelope put(String bucket) {
    return Replies.envelope(1)
        .setPutRequest(PutRequest.newBuilder().setBucket(bucket).setKey(ByteString.copyFromUtf8("k")))
        .build();
  }

  private static Envelope delete(String bucket) {
    return Replies.envelope(1)
        .setDeleteRequest(
            DeleteRequest.newBuilder().setBucket(bucket).setKey(ByteString.copyFromUtf8("k")))
        .build();
  }
}

package io.dynamo.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dynamo.core.runtime.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestHistoryTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final ManualClock clock = new ManualClock();

  @Test
  void firstSampleOnlyStartsTheCountsThenRatesAreSummedOverBucketsAndOutcomes() {
    RequestHistory history = new RequestHistory(registry, clock, 10);
    record("get", "a", "ok", 7, 1);
    history.sample();
    assertThat(history.samples()).isEmpty();

    record("get", "a", "ok", 10, 1);
    record("get", "b", "ok", 20, 1);
    record("get", "b", "QUORUM_UNAVAILABLE", 5, 1);
    record("put", "a", "ok", 5, 1);
    clock.advance(5_000);
    history.sample();

    List<RequestHistory.Sample> samples = history.samples();
    assertThat(samples).hasSize(1);
    RequestHistory.Sample s = samples.get(0);
    assertThat(s.seconds()).isEqualTo(5.0);
    assertThat(s.atMillis()).isEqualTo(clock.currentTimeMillis());
    assertThat(s.ops().keySet()).containsExactly("get", "put");
    assertThat(s.ops().get("get").rate()).isEqualTo(35 / 5.0);
    assertThat(s.ops().get("get").errorRate()).isEqualTo(5 / 5.0);
    assertThat(s.ops().get("put").rate()).isEqualTo(1.0);
  }

  @Test
  void anOperationsPercentileIsTheLargestOfItsActiveTimers() {
    RequestHistory history = new RequestHistory(registry, clock, 10);
    history.sample();
    record("get", "fast", "ok", 100, 1);
    record("get", "slow", "ok", 100, 40);
    clock.advance(5_000);
    history.sample();
    // Only the fast bucket is busy now: the slow one's old window no longer counts.
    record("get", "fast", "ok", 100, 1);
    clock.advance(5_000);
    history.sample();

    List<RequestHistory.Sample> samples = history.samples();
    assertThat(samples.get(0).ops().get("get").p99()).isCloseTo(40, within(2.0));
    assertThat(samples.get(0).ops().get("get").p50()).isCloseTo(40, within(2.0));
    assertThat(samples.get(1).ops().get("get").p99()).isCloseTo(1, within(0.1));
    assertThat(samples.get(1).ops().get("get").p999()).isCloseTo(1, within(0.1));
  }

  @Test
  void anIdleOperationHasARateOfZeroAndNoLatency() {
    RequestHistory history = new RequestHistory(registry, clock, 10);
    record("delete", "a", "ok", 3, 2);
    history.sample();
    clock.advance(5_000);
    history.sample();

    RequestHistory.OpFigures f = history.samples().get(0).ops().get("delete");
    assertThat(f.rate()).isZero();
    assertThat(f.p99()).isNaN();
  }

  @Test
  void keepsOnlyTheLastSamples() {
    RequestHistory history = new RequestHistory(registry, clock, 3);
    history.sample();
    for (int i = 1; i <= 5; i++) {
      record("put", "a", "ok", i, 1);
      clock.advance(1_000);
      history.sample();
    }

    assertThat(history.samples()).extracting(s -> s.ops().get("put").rate())
        .containsExactly(3.0, 4.0, 5.0);
  }

  @Test
  void timersWithoutAnOpTagAreIgnored() {
    RequestHistory history = new RequestHistory(registry, clock, 3);
    history.sample();
    Timer.builder(RequestHistory.TIMER).register(registry).record(Duration.ofMillis(1));
    clock.advance(1_000);
    history.sample();

    assertThat(history.samples().get(0).ops()).isEmpty();
  }

  private void record(String op, String bucket, String outcome, int times, long millis) {
    Timer t = Timer.builder(RequestHistory.TIMER)
        .tags("op", op, "bucket", bucket, "outcome", outcome)
        .publishPercentiles(RequestHistory.PERCENTILES)
        .register(registry);
    for (int i = 0; i < times; i++) {
      t.record(Duration.ofMillis(millis));
    }
  }

  private static final class ManualClock implements Clock {
    private long millis = 1_700_000_000_000L;

    void advance(long by) {
      millis += by;
    }

    @Override
    public long currentTimeMillis() {
      return millis;
    }

    @Override
    public long monotonicMillis() {
      return millis;
    }
  }
}

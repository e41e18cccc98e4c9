package io.dynamo.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendScheduleTest {
  private static final long START = 5_000_000_000L;

  @Test
  void requestsAreEvenlySpacedFromThePhaseStart() {
    SendSchedule s = new SendSchedule(List.of(phase("a", 1000, 10)), START);
    List<Long> times = drain(s);

    assertThat(times).hasSize(10);
    for (int i = 0; i < times.size(); i++) {
      assertThat(times.get(i)).isEqualTo(START + i * 1_000_000L);
    }
  }

  @Test
  void timesDoNotDependOnWhenTheSenderAsks() {
    // The schedule has no clock: a sender that is late still gets the original slots, so its
    // lateness lands in the latencies instead of stretching the schedule.
    SendSchedule s = new SendSchedule(List.of(phase("a", 3, 1000)), START);
    assertThat(s.intendedAt()).isEqualTo(START);
    s.advance();
    assertThat(s.intendedAt()).isEqualTo(START + 333_333_333L);
    s.advance();
    assertThat(s.intendedAt()).isEqualTo(START + 666_666_666L);
    s.advance();
    assertThat(s.hasNext()).isFalse();
  }

  @Test
  void phasesFollowEachOtherWithTheirOwnRates() {
    SendSchedule s =
        new SendSchedule(List.of(phase("warm", 100, 20), phase("measure", 1000, 5), phase("then1", 200, 30)), START);
    List<Integer> phaseOf = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    while (s.hasNext()) {
      phaseOf.add(s.phase());
      times.add(s.intendedAt());
      s.advance();
    }

    assertThat(phaseOf.stream().filter(p -> p == 0)).hasSize(2);
    assertThat(phaseOf.stream().filter(p -> p == 1)).hasSize(5);
    assertThat(phaseOf.stream().filter(p -> p == 2)).hasSize(6);
    assertThat(s.phaseStart(1)).isEqualTo(START + 20_000_000L);
    assertThat(s.phaseStart(2)).isEqualTo(START + 25_000_000L);
    assertThat(s.phaseStart(3)).isEqualTo(START + 55_000_000L);
    assertThat(times.get(2)).as("first of phase 1").isEqualTo(s.phaseStart(1));
    assertThat(times.get(7)).as("first of phase 2").isEqualTo(s.phaseStart(2));
    assertThat(times).isSorted();
  }

  @Test
  void anEmptyWarmUpIsSkipped() {
    SendSchedule s = new SendSchedule(List.of(phase("warm", 100, 0), phase("measure", 100, 30)), START);
    assertThat(s.phase()).isEqualTo(1);
    assertThat(s.intendedAt()).isEqualTo(START);
    assertThat(drain(s)).hasSize(3);
  }

  @Test
  void requestsInAPhaseAreRateTimesDurationRoundedUp() {
    assertThat(SendSchedule.requestsIn(phase("a", 1000, 10))).isEqualTo(10);
    assertThat(SendSchedule.requestsIn(phase("a", 3, 1000))).isEqualTo(3);
    assertThat(SendSchedule.requestsIn(phase("a", 0.5, 3000))).isEqualTo(2); // at 0 s and 2 s
    assertThat(SendSchedule.requestsIn(phase("a", 45_000, 60_000))).isEqualTo(2_700_000);
    assertThat(SendSchedule.requestsIn(phase("a", 7, 0))).isZero();
    for (double rate : new double[] {1, 7, 333.3, 1000, 12_345.6}) {
      RatePhase p = phase("a", rate, 1234);
      assertThat(drain(new SendSchedule(List.of(p), START))).hasSize((int) SendSchedule.requestsIn(p));
    }
  }

  @Test
  void advancingPastTheEndIsAnError() {
    SendSchedule s = new SendSchedule(List.of(phase("a", 1, 1000)), START);
    s.advance();
    assertThatThrownBy(s::advance).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void phasesAreParsedFromRateColonDuration() {
    RatePhase p = RatePhase.parse("then1", "45000:60s");
    assertThat(p.opsPerSecond()).isEqualTo(45_000);
    assertThat(p.duration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(RatePhase.parse("x", "2.5:500ms").duration()).isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> RatePhase.parse("x", "45000")).hasMessageContaining("OPS:DURATION");
    assertThatThrownBy(() -> RatePhase.parse("x", "fast:60s")).hasMessageContaining("not a rate");
    assertThatThrownBy(() -> RatePhase.parse("x", "0:60s")).hasMessageContaining("positive");
    assertThatThrownBy(() -> RatePhase.parse("x", "10:0s")).hasMessageContaining("positive");
  }

  private static RatePhase phase(String label, double rate, long millis) {
    return new RatePhase(label, rate, Duration.ofMillis(millis));
  }

  private static List<Long> drain(SendSchedule s) {
    List<Long> times = new ArrayList<>();
    while (s.hasNext()) {
      times.add(s.intendedAt());
      s.advance();
    }
    return times;
  }
}

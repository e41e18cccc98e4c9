package io.dynamo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.OverloadedException;
import io.dynamo.client.QuorumUnavailableException;
import io.dynamo.client.RequestTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class OpenLoopAccountingTest {
  private static final long MS = 1_000_000L;

  @Test
  void everyOfferedRequestEndsInExactlyOneBucket() {
    OpenLoopRecorder r = new OpenLoopRecorder(2);
    for (int i = 0; i < 10; i++) {
      r.offered(1);
    }
    r.notSent(1);
    r.notSent(1);
    for (int i = 0; i < 8; i++) {
      r.sent(1);
    }
    r.served(1, Operation.GET, 0, 2 * MS);
    r.served(1, Operation.PUT, 0, 4 * MS);
    r.served(1, Operation.PUT, 10 * MS, 11 * MS);
    r.failed(1, 0, MS, new CompletionException(new OverloadedException("busy")));
    r.failed(1, 0, 3 * MS, new OverloadedException("busy"));
    r.failed(1, 0, MS, new RequestTimeoutException("late"));
    r.failed(1, 0, MS, new QuorumUnavailableException("w=2", 2, 1));
    // one request still in flight

    OpenLoopRecorder.PhaseFigures f = r.phase(1);
    OpenLoopCounts c = f.counts();
    assertThat(c.offered()).isEqualTo(10);
    assertThat(c.notSent()).isEqualTo(2);
    assertThat(c.sent()).isEqualTo(8);
    assertThat(c.offered()).isEqualTo(c.sent() + c.notSent());
    assertThat(c.okGets()).isEqualTo(1);
    assertThat(c.okPuts()).isEqualTo(2);
    assertThat(c.overloaded()).isEqualTo(2);
    assertThat(c.timeouts()).isEqualTo(1);
    assertThat(c.errors()).isEqualTo(Map.of("QUORUM_UNAVAILABLE", 1L));
    assertThat(c.answered()).isEqualTo(7);
    assertThat(c.unfinished()).isEqualTo(1);
    assertThat(c.shedFraction()).isEqualTo(2 / 7.0);
    assertThat(f.served().count()).isEqualTo(3);
    assertThat(f.served().max()).isBetween(3996L, 4004L);
    assertThat(f.shed().count()).isEqualTo(2);
    assertThat(f.shed().max()).isBetween(2997L, 3003L);
    assertThat(r.phase(0).counts()).isEqualTo(OpenLoopCounts.ZERO);
  }

  @Test
  void servedLatencyRunsFromTheIntendedSendTime() {
    OpenLoopRecorder r = new OpenLoopRecorder(1);
    // Intended at 0, answered at 50 ms: 50 ms, however late it actually went out (the histogram
    // keeps 3 significant digits).
    r.served(0, Operation.GET, 0, 50 * MS);
    assertThat(r.phase(0).served().p50()).isBetween(49_950L, 50_050L);
  }

  @Test
  void cutsGiveWhatHappenedSinceThePreviousCut() {
    OpenLoopRecorder r = new OpenLoopRecorder(2);
    r.offered(0);
    r.sent(0);
    r.served(0, Operation.GET, 0, MS);
    OpenLoopRecorder.Cut first = r.cut();
    r.offered(1);
    r.sent(1);
    r.failed(1, 0, MS, new ConnectionException("refused", null));
    r.failed(0, 0, MS, new ConnectionException("refused", null));
    OpenLoopRecorder.Cut second = r.cut();

    assertThat(first.counts().ok()).isEqualTo(1);
    assertThat(first.served().count()).isEqualTo(1);
    assertThat(second.counts().offered()).isEqualTo(1);
    assertThat(second.counts().ok()).isZero();
    assertThat(second.counts().errors()).isEqualTo(Map.of("CONNECTION", 2L));
    assertThat(second.served().count()).isZero();
    assertThat(r.cut().counts()).isEqualTo(OpenLoopCounts.ZERO);
  }

  @Test
  void countsSubtractKindByKind() {
    OpenLoopCounts later = new OpenLoopCounts(10, 1, 9, 3, 2, 2, 1, Map.of("A", 2L, "B", 1L));
    OpenLoopCounts earlier = new OpenLoopCounts(4, 1, 3, 1, 1, 0, 0, Map.of("A", 1L, "B", 1L));
    assertThat(later.minus(earlier))
        .isEqualTo(new OpenLoopCounts(6, 0, 6, 2, 1, 2, 1, Map.of("A", 1L)));
    assertThat(OpenLoopCounts.ZERO.shedFraction()).isZero();
  }

  @Test
  void settledIsTheStartOfTheLastRunOfNormalIntervals() {
    // reference p99 1 ms, factor 2: an interval is normal at p99 <= 2 ms without timeouts.
    List<OpenLoopReport.Interval> intervals = new ArrayList<>();
    intervals.add(interval("measure", 0, 900, 0));
    intervals.add(interval("then1", 1, 9_000, 0));
    intervals.add(interval("then2", 2, 5_000, 0));
    intervals.add(interval("then2", 3, 1_500, 0));
    intervals.add(interval("then2", 4, 3_000, 0)); // a relapse: settled only after it
    intervals.add(interval("then2", 5, 2_000, 0));
    intervals.add(interval("then2", 6, 1_000, 0));

    assertThat(OpenLoopReport.settledAfter(intervals, "then2", 1_000, 2)).isEqualTo(OptionalDouble.of(3));
    assertThat(OpenLoopReport.settledAfter(intervals, "then1", 1_000, 2)).isEmpty();
    assertThat(OpenLoopReport.settledAfter(intervals, "then2", 0, 2)).as("no reference").isEmpty();
    assertThat(OpenLoopReport.settledAfter(intervals, "nosuch", 1_000, 2)).isEmpty();

    List<OpenLoopReport.Interval> withTimeout = new ArrayList<>(intervals);
    withTimeout.set(6, interval("then2", 6, 1_000, 1));
    assertThat(OpenLoopReport.settledAfter(withTimeout, "then2", 1_000, 2)).isEmpty();
  }

  @Test
  void reportShowsPhasesIntervalsAndSettling() {
    OpenLoopCounts c = new OpenLoopCounts(300, 10, 290, 100, 50, 130, 5, Map.of("CONNECTION", 5L));
    Latency served = new Latency(150, 1_000, 4_000, 9_000, 12_000);
    Latency shed = new Latency(130, 200, 900, 1_000, 1_100);
    List<OpenLoopReport.Interval> intervals =
        List.of(interval("measure", 0, 1_000, 0), interval("then1", 1, 1_500, 0));
    List<OpenLoopReport.Phase> phases = OpenLoopReport.withSettling(
        List.of(
            new OpenLoopReport.Phase("measure", 100, 3, c, served, shed, OptionalDouble.empty()),
            new OpenLoopReport.Phase("then1", 100, 1, c, served, Latency.NONE, OptionalDouble.empty())),
        intervals, 2);
    OpenLoopReport report = new OpenLoopReport(Map.of("rate", 100.0), phases, intervals, 2);

    assertThat(report.phases().get(1).settledAfter()).isEqualTo(OptionalDouble.of(0));
    assertThat(report.table())
        .contains("settings: rate=100.0")
        .containsPattern("measure +3.0 +100.0 +96.7 +50.0 +150 +130 +44.83 +5 +5 +10 +0 +1.000 +4.000 +9.000 +12.000 +-\n")
        .containsPattern("then1 .* 0.0 s\n")
        .contains("errors measure: CONNECTION=5")
        .contains("OVERLOADED answers measure (from the actual send): p50 0.200  p99 0.900  max 1.100 ms");
    assertThat(report.json())
        .startsWith("{\"settings\":{\"rate\":100.0},\"mode\":\"open-loop\",\"settle_factor\":2.0,\"phases\":[{")
        .contains("\"phase\":\"measure\",\"seconds\":3.0,\"offered_per_sec\":100.0,\"sent_per_sec\":96.667,"
            + "\"goodput_per_sec\":50.0,\"shed_fraction\":0.448276,\"offered\":300,\"sent\":290,"
            + "\"not_sent\":10,\"ok\":150,\"ok_gets\":100,\"ok_puts\":50,\"overloaded\":130,"
            + "\"timeouts\":5,\"errors\":{\"CONNECTION\":5},\"unfinished\":0,\"p50_us\":1000")
        .contains("\"overloaded_p99_us\":900")
        .contains("\"settled_after_s\":null")
        .contains("\"settled_after_s\":0.0")
        .contains("\"intervals\":[{\"t\":0.0,\"epoch_ms\":1000,\"phase\":\"measure\"")
        .endsWith("]}");
  }

  private static OpenLoopReport.Interval interval(String phase, double start, long p99, long timeouts) {
    OpenLoopCounts c = new OpenLoopCounts(10, 0, 10, 10 - timeouts, 0, 0, timeouts, Map.of());
    return new OpenLoopReport.Interval(
        phase, start, 1, 1000, c, 0, new Latency(10 - timeouts, p99 / 2, p99, p99, p99));
  }
}

package io.dynamo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.QuorumUnavailableException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {
  @Test
  void rowTakesPercentilesAndThroughputFromTheHistogram() {
    Histogram h = LatencyRecorder.newHistogram();
    for (int micros = 1; micros <= 1000; micros++) {
      h.recordValue(micros);
    }
    Report.Row row = Report.Row.of("get", h, Map.of("TIMEOUT", 2L), 4.0);

    assertThat(row.count()).isEqualTo(1000);
    assertThat(row.opsPerSecond()).isEqualTo(250.0);
    assertThat(row.p50()).isEqualTo(500);
    assertThat(row.p99()).isEqualTo(990);
    assertThat(row.p999()).isEqualTo(999);
    assertThat(row.max()).isEqualTo(1000);
    assertThat(row.mean()).isEqualTo(500.5);
    assertThat(row.errorCount()).isEqualTo(2);
  }

  @Test
  void emptyHistogramGivesZeros() {
    Report.Row row = Report.Row.of("put", LatencyRecorder.newHistogram(), Map.of(), 10);
    assertThat(List.of(row.count(), row.p50(), row.p99(), row.max())).containsOnly(0L);
    assertThat(row.opsPerSecond()).isZero();
  }

  @Test
  void tableShowsMillisecondsAndErrorTypes() {
    String table = sample().table();
    assertThat(table)
        .contains("settings: clients=16 nodes=127.0.0.1:1,127.0.0.1:2")
        .contains("measured 2.0 s")
        .containsPattern("get +1 +0.5 +1.500 +1.500 +1.500 +1.500 +1.500 +0\n")
        .containsPattern("put +0 +0.0 .* +3\n")
        .contains("errors put: QUORUM_UNAVAILABLE=1 TIMEOUT=2")
        .contains("gets that returned siblings: 4");
  }

  @Test
  void jsonIsExact() {
    assertThat(sample().json())
        .isEqualTo(
            "{\"settings\":{\"clients\":16,\"nodes\":\"127.0.0.1:1,127.0.0.1:2\"},"
                + "\"seconds\":2.000,\"sibling_reads\":4,\"operations\":{"
                + "\"get\":{\"count\":1,\"ops_per_sec\":0.5,\"mean_us\":1500.0,\"p50_us\":1500,"
                + "\"p99_us\":1500,\"p999_us\":1500,\"max_us\":1500,\"errors\":{}},"
                + "\"put\":{\"count\":0,\"ops_per_sec\":0.0,\"mean_us\":0.0,\"p50_us\":0,"
                + "\"p99_us\":0,\"p999_us\":0,\"max_us\":0,"
                + "\"errors\":{\"QUORUM_UNAVAILABLE\":1,\"TIMEOUT\":2}}}}");
  }

  @Test
  void errorTypeIsTheStatusCodeOrTheExceptionClass() {
    assertThat(LatencyRecorder.errorType(
            new CompletionException(new QuorumUnavailableException("w=2", 2, 1))))
        .isEqualTo("QUORUM_UNAVAILABLE");
    assertThat(LatencyRecorder.errorType(new TimeoutException())).isEqualTo("TimeoutException");
  }

  @Test
  void recorderCountsOnlyRequestsInsideTheWindow() {
    LatencyRecorder r = new LatencyRecorder(1_000_000_000L, 3_000_000_000L);
    r.success(Operation.GET, 900_000_000L, 1_100_000_000L); // began in the warm-up
    r.success(Operation.GET, 1_000_000_000L, 1_002_000_000L); // 2 ms, counted
    r.success(Operation.PUT, 2_999_000_000L, 3_000_500_000L); // ended after the window
    r.failure(Operation.PUT, 2_000_000_000L, 2_000_000_001L, new TimeoutException());
    r.failure(Operation.PUT, 0, 1, new TimeoutException());

    Report report = r.report(Map.of());

    assertThat(report.seconds()).isEqualTo(2.0);
    assertThat(report.rows()).extracting(Report.Row::op).containsExactly("get", "put", "total");
    assertThat(report.rows().get(0).count()).isEqualTo(1);
    assertThat(report.rows().get(0).max()).isBetween(2000L, 2002L);
    assertThat(report.rows().get(1).count()).isZero();
    assertThat(report.rows().get(1).errors()).isEqualTo(Map.of("TimeoutException", 1L));
    assertThat(report.rows().get(2).count()).isEqualTo(1);
    assertThat(report.rows().get(2).errors()).isEqualTo(Map.of("TimeoutException", 1L));
    assertThat(r.completed()).isEqualTo(3);
    assertThat(r.failed()).isEqualTo(2);
  }

  private static Report sample() {
    Histogram gets = LatencyRecorder.newHistogram();
    gets.recordValue(1500);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("nodes", "127.0.0.1:1,127.0.0.1:2");
    settings.put("clients", 16);
    return new Report(
        settings,
        2.0,
        List.of(
            Report.Row.of("get", gets, Map.of(), 2.0),
            Report.Row.of("put", LatencyRecorder.newHistogram(),
                Map.of("TIMEOUT", 2L, "QUORUM_UNAVAILABLE", 1L), 2.0)),
        4);
  }
}

package io.dynamo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class TimelineLatencyTest {
  @Test
  void anIntervalCarriesItsPercentilesAndItsHistogramAsPairs() {
    Histogram h = new Histogram(LatencyRecorder.HIGHEST_MICROS, 2);
    for (int i = 0; i < 999; i++) {
      h.recordValue(1000);
    }
    h.recordValue(50_000);
    Map<String, Object> f = new LinkedHashMap<>();
    LoadGenerator.latencyFields(f, h);
    assertThat((long) f.get("p50_us")).isBetween(1000L, 1010L);
    assertThat((long) f.get("p999_us")).isBetween(1000L, 1010L);
    assertThat((long) f.get("max_us")).isBetween(50_000L, 50_500L);
    @SuppressWarnings("unchecked")
    List<List<Long>> pairs = (List<List<Long>>) f.get("latency_us");
    assertThat(pairs).hasSize(2);
    assertThat(pairs.get(0).get(1)).isEqualTo(999L);
    assertThat(pairs.get(1).get(1)).isEqualTo(1L);
    StringBuilder b = new StringBuilder();
    JsonText.object(b, Map.of("latency_us", pairs));
    assertThat(b.toString()).matches("\\{\"latency_us\":\\[\\[10\\d\\d,999\\],\\[50\\d\\d\\d,1\\]\\]\\}");
  }

  @Test
  void anEmptyIntervalHasZerosAndNoPairs() {
    Map<String, Object> f = new LinkedHashMap<>();
    LoadGenerator.latencyFields(f, new Histogram(LatencyRecorder.HIGHEST_MICROS, 2));
    assertThat(f.get("p99_us")).isEqualTo(0L);
    assertThat((List<?>) f.get("latency_us")).isEmpty();
  }

  @Test
  void membershipCheckValuesNameTheirWrite() {
    assertThat(new String(MembershipCheck.key("mr", 42), StandardCharsets.US_ASCII)).isEqualTo("mr00000042");
    byte[] v = MembershipCheck.value(42, 100);
    assertThat(v).hasSize(100);
    assertThat(new String(v, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("v42:");
  }
}

package io.dynamo.bench;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The results of a run: per operation, count, throughput and latency percentiles (microseconds),
 * and errors by type; printed as a table for people or as JSON for scripts.
 */
record Report(Map<String, Object> settings, double seconds, List<Row> rows, long siblingReads) {

  Report {
    settings = Map.copyOf(settings);
    rows = List.copyOf(rows);
  }

  /** One operation's figures; latencies in microseconds. */
  record Row(
      String op, long count, double opsPerSecond, long p50, long p99, long p999, long max,
      double mean, Map<String, Long> errors) {

    Row {
      errors = Map.copyOf(errors);
    }

    static Row of(String op, Histogram h, Map<String, Long> errors, double seconds) {
      long n = h.getTotalCount();
      return new Row(
          op, n, seconds > 0 ? n / seconds : 0,
          h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
          h.getMaxValue(), n == 0 ? 0 : h.getMean(), errors);
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  String table() {
    StringBuilder b = new StringBuilder();
    b.append("settings:");
    new TreeMap<>(settings).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    b.append(String.format(Locale.ROOT, "%nmeasured %.1f s%n%n", seconds));
    String header = "%-6s %10s %10s %9s %9s %9s %9s %9s %8s%n";
    b.append(String.format(Locale.ROOT, header,
        "op", "count", "ops/s", "mean ms", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors"));
    for (Row r : rows) {
      b.append(String.format(Locale.ROOT, "%-6s %10d %10.1f %9s %9s %9s %9s %9s %8d%n",
          r.op(), r.count(), r.opsPerSecond(), millis(r.mean()), millis(r.p50()), millis(r.p99()),
          millis(r.p999()), millis(r.max()), r.errorCount()));
    }
    for (Row r : rows) {
      if (!r.op().equals("total") && !r.errors().isEmpty()) {
        b.append("errors ").append(r.op()).append(':');
        new TreeMap<>(r.errors()).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        b.append('\n');
      }
    }
    b.append("gets that returned siblings: ").append(siblingReads).append('\n');
    return b.toString();
  }

  String json() {
    StringBuilder b = new StringBuilder("{\"settings\":");
    object(b, new TreeMap<>(settings));
    b.append(String.format(Locale.ROOT, ",\"seconds\":%.3f,\"sibling_reads\":%d,\"operations\":{",
        seconds, siblingReads));
    for (Iterator<Row> it = rows.iterator(); it.hasNext(); ) {
      Row r = it.next();
      string(b, r.op());
      b.append(String.format(Locale.ROOT,
          ":{\"count\":%d,\"ops_per_sec\":%.1f,\"mean_us\":%.1f,\"p50_us\":%d,\"p99_us\":%d,"
              + "\"p999_us\":%d,\"max_us\":%d,\"errors\":",
          r.count(), r.opsPerSecond(), r.mean(), r.p50(), r.p99(), r.p999(), r.max()));
      object(b, new TreeMap<>(r.errors()));
      b.append(it.hasNext() ? "}," : "}");
    }
    return b.append("}}").toString();
  }

  private static String millis(double micros) {
    return String.format(Locale.ROOT, "%.3f", micros / 1000);
  }

  private static void object(StringBuilder b, Map<String, ?> map) {
    JsonText.object(b, map);
  }

  private static void string(StringBuilder b, String s) {
    JsonText.string(b, s);
  }
}

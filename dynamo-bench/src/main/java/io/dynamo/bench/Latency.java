package io.dynamo.bench;

import org.HdrHistogram.Histogram;

/** Percentiles of a histogram of latencies, in microseconds; all zero when it is empty. */
record Latency(long count, long p50, long p99, long p999, long max) {

  static final Latency NONE = new Latency(0, 0, 0, 0, 0);

  static Latency of(Histogram h) {
    if (h.getTotalCount() == 0) {
      return NONE;
    }
    return new Latency(
        h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9), h.getMaxValue());
  }
}

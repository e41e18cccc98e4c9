package io.dynamo.server.dashboard;

import io.dynamo.core.runtime.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The last minutes of client requests, per operation, sampled from the node's {@code
 * dynamo.requests} timers (tags {@code op}, {@code bucket}, {@code outcome}): each {@link #sample}
 * adds the rate since the previous sample and the latency percentiles the timers publish. Keeps a
 * bounded number of samples, so the dashboard's chart needs no storage of its own.
 *
 * <p>An operation has one timer per bucket and outcome. Its rate is their sum. Its percentile is
 * the largest of the percentiles of its timers that saw requests in the interval: an upper bound of
 * the percentile of all its requests (at most 1% of each timer's requests lie above that timer's
 * p99, so at most 1% of all lie above the largest). The timers' percentiles cover their own
 * decaying window (Micrometer's {@code distributionStatisticExpiry}, 2 minutes by default), not
 * just the interval. Thread-safe: sampled on one thread, read on another.
 */
public final class RequestHistory {
  /** The timers' name, agreed with the node's request metrics. */
  public static final String TIMER = "dynamo.requests";
  /** The percentiles the timers publish and the dashboard shows. */
  static final double[] PERCENTILES = {0.5, 0.99, 0.999};

  private final MeterRegistry registry;
  private final Clock clock;
  private final int capacity;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  /** Each timer's count at the previous sample, to turn cumulative counts into rates. */
  private final Map<Meter.Id, Long> lastCounts = new HashMap<>();
  private long lastSampleMonotonicMillis = -1;

  /** What one operation did in one interval; latencies in milliseconds, NaN when unknown. */
  public record OpFigures(double rate, double errorRate, double p50, double p99, double p999) {}

  /** One interval: its end (wall clock) and the figures per operation ({@code op} tag). */
  public record Sample(long atMillis, double seconds, Map<String, OpFigures> ops) {}

  /** Keeps the last {@code capacity} samples. */
  public RequestHistory(MeterRegistry registry, Clock clock, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.registry = registry;
    this.clock = clock;
    this.capacity = capacity;
  }

  /**
   * Reads the timers and adds a sample of the interval since the previous call. The first call only
   * takes the counts to start from.
   */
  public synchronized void sample() {
    long now = clock.monotonicMillis();
    Map<String, double[]> byOp = new TreeMap<>(); // requests, errors, p50, p99, p999
    for (Timer t : registry.find(TIMER).timers()) {
      String op = t.getId().getTag("op");
      if (op == null) {
        continue;
      }
      long count = t.count();
      Long last = lastCounts.put(t.getId(), count);
      // A timer new since the last sample counts from zero; one that went back was recreated.
      long delta = last == null || count < last ? count : count - last;
      double[] f = byOp.computeIfAbsent(op, o -> new double[] {0, 0, Double.NaN, Double.NaN, Double.NaN});
      f[0] += delta;
      if (!"ok".equals(t.getId().getTag("outcome"))) {
        f[1] += delta;
      }
      if (delta > 0) {
        ValueAtPercentile[] values = t.takeSnapshot().percentileValues();
        for (int i = 0; i < PERCENTILES.length; i++) {
          double v = valueAt(values, PERCENTILES[i]);
          if (!Double.isNaN(v) && (Double.isNaN(f[2 + i]) || v > f[2 + i])) {
            f[2 + i] = v;
          }
        }
      }
    }
    long previous = lastSampleMonotonicMillis;
    lastSampleMonotonicMillis = now;
    if (previous < 0 || now <= previous) {
      return;
    }
    double seconds = (now - previous) / 1000.0;
    Map<String, OpFigures> ops = new TreeMap<>();
    byOp.forEach((op, f) -> ops.put(op, new OpFigures(f[0] / seconds, f[1] / seconds, f[2], f[3], f[4])));
    samples.addLast(new Sample(clock.currentTimeMillis(), seconds, Collections.unmodifiableMap(ops)));
    while (samples.size() > capacity) {
      samples.removeFirst();
    }
  }

  /** The samples kept, oldest first. */
  public synchronized List<Sample> samples() {
    return new ArrayList<>(samples);
  }

  private static double valueAt(ValueAtPercentile[] values, double percentile) {
    for (ValueAtPercentile v : values) {
      if (Math.abs(v.percentile() - percentile) < 1e-9) {
        return v.value(TimeUnit.MILLISECONDS);
      }
    }
    return Double.NaN;
  }
}

package io.dynamo.client.impl;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Recent latencies of one operation (HdrHistogram), for a percentile of the last few seconds: what
 * a hedged get waits before asking a second replica. Recording is lock-free; the percentile is
 * recomputed at most once per interval by whichever caller finds it stale.
 */
public final class LatencyWindow {
  private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Recorder recorder = new Recorder(HIGHEST_NANOS, 2);
  private final ArrayDeque<Histogram> intervals = new ArrayDeque<>();
  private final Histogram combined = new Histogram(HIGHEST_NANOS, 2);
  private final ReentrantLock rolling = new ReentrantLock();
  private final int keep;
  private final long intervalNanos;
  private final double percentile;
  private final long minSamples;
  private final LongSupplier nanoTime;
  private volatile long nextRollNanos;
  /** The percentile over the kept intervals; -1 until they hold enough samples. */
  private volatile long cachedNanos = -1;

  /**
   * @param percentile 0 to 100
   * @param keep intervals in the window
   * @param minSamples below this many samples in the window there is no percentile
   */
  public LatencyWindow(
      double percentile, long intervalNanos, int keep, long minSamples, LongSupplier nanoTime) {
    if (percentile <= 0 || percentile >= 100) {
      throw new IllegalArgumentException("percentile must be within (0, 100): " + percentile);
    }
    this.percentile = percentile;
    this.intervalNanos = intervalNanos;
    this.keep = keep;
    this.minSamples = minSamples;
    this.nanoTime = nanoTime;
    this.nextRollNanos = nanoTime.getAsLong() + intervalNanos;
  }

  public void record(long nanos) {
    recorder.recordValue(Math.min(Math.max(nanos, 1), HIGHEST_NANOS));
  }

  /** The percentile of the window, in nanoseconds; -1 while it has too few samples. */
  public long percentileNanos() {
    long now = nanoTime.getAsLong();
    if (now - nextRollNanos >= 0 && rolling.tryLock()) {
      try {
        roll(now);
      } finally {
        rolling.unlock();
      }
    }
    return cachedNanos;
  }

  private void roll(long now) {
    nextRollNanos = now + intervalNanos;
    Histogram recycled = intervals.size() >= keep ? intervals.removeFirst() : null;
    intervals.addLast(recorder.getIntervalHistogram(recycled));
    combined.reset();
    for (Histogram h : intervals) {
      combined.add(h);
    }
    cachedNanos =
        combined.getTotalCount() < minSamples ? -1 : combined.getValueAtPercentile(percentile);
  }
}

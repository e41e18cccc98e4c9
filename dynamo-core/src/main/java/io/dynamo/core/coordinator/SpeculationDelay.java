package io.dynamo.core.coordinator;

import java.util.Arrays;

/**
 * How long one shard's gets wait for their R replicas before reading a further one: the 99th
 * percentile of the latency of its recent gets, so that about one get in a hundred reads one
 * replica more and a get stuck behind a slow replica (a pause, a busy disk, a lost message) is
 * answered about one round trip after the slowest usual get instead of at its timeout.
 *
 * <p>The percentile is taken over the last {@value #WINDOW} gets and recomputed every {@value
 * #REFRESH} gets, so it follows the load within seconds at a few thousand gets a second, and costs
 * one sort of {@value #WINDOW} ints every {@value #REFRESH} gets. Until {@value #REFRESH} gets were
 * seen it is {@code initialMillis}. Single-threaded, like the shard that owns it.
 */
final class SpeculationDelay {
  static final int WINDOW = 1024;
  static final int REFRESH = 256;

  private final int[] samples = new int[WINDOW];
  private final int[] sorted = new int[WINDOW];
  private final long maxMillis;
  private int count;
  private int next;
  private int sinceRefresh;
  private long delayMillis;

  /**
   * @param initialMillis the delay before enough gets were seen
   * @param maxMillis the longest delay (a share of the request timeout, so a speculative read
   *     still has time to answer)
   */
  SpeculationDelay(long initialMillis, long maxMillis) {
    if (maxMillis < 1) {
      throw new IllegalArgumentException("maxMillis must be at least 1: " + maxMillis);
    }
    this.maxMillis = maxMillis;
    this.delayMillis = clamp(initialMillis);
  }

  /** The delay for a get starting now, in whole milliseconds, at least 1. */
  long millis() {
    return delayMillis;
  }

  /** Records how long an answered get took. */
  void record(long latencyMillis) {
    samples[next] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, latencyMillis));
    next = (next + 1) % WINDOW;
    if (count < WINDOW) {
      count++;
    }
    if (++sinceRefresh >= REFRESH) {
      sinceRefresh = 0;
      System.arraycopy(samples, 0, sorted, 0, count);
      Arrays.sort(sorted, 0, count);
      int p99 = sorted[Math.min(count - 1, (int) Math.ceil(count * 0.99) - 1)];
      // Whole milliseconds truncate: a get counted as 2 ms took up to 3.
      delayMillis = clamp(p99 + 1L);
    }
  }

  private long clamp(long millis) {
    return Math.max(1, Math.min(maxMillis, millis));
  }
}

package io.dynamo.bench;

import io.dynamo.client.DynamoException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies (microseconds) and errors per operation, for requests that started and finished inside
 * the measurement window; requests outside it (warm-up, drain) only count towards progress.
 * Recording is wait-free and safe from any thread; {@link #report} is for one thread.
 */
final class LatencyRecorder {
  /** Latencies above this (an hour) are recorded as this. */
  static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  private final long windowStart;
  private final long windowEnd;
  private final Map<Operation, Recorder> recorders = new EnumMap<>(Operation.class);
  private final Map<Operation, Map<String, LongAdder>> errors = new EnumMap<>(Operation.class);
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder siblingReads = new LongAdder();
  /** Every request's outcome, in or out of the window, for the timeline. */
  private final Map<Operation, LongAdder> okByOp = new EnumMap<>(Operation.class);
  private final Map<String, LongAdder> errorsByType = new ConcurrentHashMap<>();
  /** Every successful request's latency, in or out of the window, for the timeline's percentiles. */
  private final Recorder timelineLatency = new Recorder(HIGHEST_MICROS, 2);

  /** Measures requests inside {@code [windowStart, windowEnd]}, in {@link System#nanoTime} units. */
  LatencyRecorder(long windowStart, long windowEnd) {
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
    for (Operation op : Operation.values()) {
      recorders.put(op, new Recorder(HIGHEST_MICROS, 3));
      errors.put(op, new ConcurrentHashMap<>());
      okByOp.put(op, new LongAdder());
    }
  }

  void success(Operation op, long startNanos, long endNanos) {
    completed.increment();
    okByOp.get(op).increment();
    timelineLatency.recordValue(
        Math.min(TimeUnit.NANOSECONDS.toMicros(endNanos - startNanos), HIGHEST_MICROS));
    if (inWindow(startNanos, endNanos)) {
      long micros = Math.min(TimeUnit.NANOSECONDS.toMicros(endNanos - startNanos), HIGHEST_MICROS);
      recorders.get(op).recordValue(micros);
    }
  }

  void failure(Operation op, long startNanos, long endNanos, Throwable error) {
    failed.increment();
    String type = errorType(error);
    errorsByType.computeIfAbsent(type, k -> new LongAdder()).increment();
    if (inWindow(startNanos, endNanos)) {
      errors.get(op).computeIfAbsent(type, k -> new LongAdder()).increment();
    }
  }

  /** A get inside the window that returned more than one value. */
  void siblings(long startNanos, long endNanos) {
    if (inWindow(startNanos, endNanos)) {
      siblingReads.increment();
    }
  }

  /** Requests finished so far, in or out of the window (for progress lines). */
  long completed() {
    return completed.sum();
  }

  long failed() {
    return failed.sum();
  }

  /** Answers so far by kind, in or out of the window (for the timeline). */
  ClosedLoopCounts counts() {
    Map<String, Long> e = new TreeMap<>();
    errorsByType.forEach((type, n) -> e.put(type, n.sum()));
    return new ClosedLoopCounts(okByOp.get(Operation.GET).sum(), okByOp.get(Operation.PUT).sum(), e);
  }

  /**
   * The latencies of the successful requests (gets and puts, in or out of the window) since the
   * last call: the timeline's per-interval percentiles. Two significant digits.
   */
  Histogram intervalLatency() {
    return timelineLatency.getIntervalHistogram();
  }

  /** The results; call once, after the window has closed and requests have drained. */
  Report report(Map<String, Object> settings) {
    double seconds = (windowEnd - windowStart) / 1e9;
    List<Report.Row> rows = new ArrayList<>();
    Histogram all = newHistogram();
    Map<String, Long> allErrors = new TreeMap<>();
    for (Operation op : Operation.values()) {
      Histogram h = recorders.get(op).getIntervalHistogram();
      all.add(h);
      Map<String, Long> e = new TreeMap<>();
      errors.get(op).forEach((type, n) -> e.put(type, n.sum()));
      e.forEach((type, n) -> allErrors.merge(type, n, Long::sum));
      rows.add(Report.Row.of(op.label(), h, e, seconds));
    }
    rows.add(Report.Row.of("total", all, allErrors, seconds));
    return new Report(settings, seconds, rows, siblingReads.sum());
  }

  static Histogram newHistogram() {
    return new Histogram(HIGHEST_MICROS, 3);
  }

  private boolean inWindow(long startNanos, long endNanos) {
    return startNanos - windowStart >= 0 && windowEnd - endNanos >= 0;
  }

  /** The store's status code for its own errors, else the exception's class. */
  static String errorType(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof DynamoException d ? d.code() : t.getClass().getSimpleName();
  }
}

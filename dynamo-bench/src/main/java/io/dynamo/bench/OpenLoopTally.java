package io.dynamo.bench;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and latency histograms for one phase of an open-loop run, or for the whole run (read in
 * intervals). Recording is wait-free and safe from any thread.
 */
final class OpenLoopTally {
  private final LongAdder offered = new LongAdder();
  private final LongAdder notSent = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final Map<Operation, LongAdder> ok = new EnumMap<>(Operation.class);
  private final LongAdder overloaded = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  /** Served requests, from the intended send time to the answer. */
  private final Recorder served = new Recorder(LatencyRecorder.HIGHEST_MICROS, 3);
  /** OVERLOADED answers, from the actual send to the answer: how fast the store refuses. */
  private final Recorder shed = new Recorder(LatencyRecorder.HIGHEST_MICROS, 3);

  OpenLoopTally() {
    for (Operation op : Operation.values()) {
      ok.put(op, new LongAdder());
    }
  }

  void offered() {
    offered.increment();
  }

  void notSent() {
    notSent.increment();
  }

  void sent() {
    sent.increment();
  }

  void served(Operation op, long micros) {
    ok.get(op).increment();
    served.recordValue(micros);
  }

  void overloaded(long micros) {
    overloaded.increment();
    shed.recordValue(micros);
  }

  void timedOut() {
    timeouts.increment();
  }

  void failed(String type) {
    errors.computeIfAbsent(type, k -> new LongAdder()).increment();
  }

  /** The counts so far. Not atomic across counters: read it once the requests have drained, or diff. */
  OpenLoopCounts counts() {
    Map<String, Long> e = new TreeMap<>();
    errors.forEach((type, n) -> e.put(type, n.sum()));
    return new OpenLoopCounts(
        offered.sum(), notSent.sum(), sent.sum(), ok.get(Operation.GET).sum(),
        ok.get(Operation.PUT).sum(), overloaded.sum(), timeouts.sum(), e);
  }

  /** Served latencies recorded since the last call (the first call: since the start). */
  Histogram servedSinceLastRead() {
    return served.getIntervalHistogram();
  }

  /** OVERLOADED answer latencies recorded since the last call. */
  Histogram shedSinceLastRead() {
    return shed.getIntervalHistogram();
  }

  static long micros(long fromNanos, long toNanos) {
    return Math.max(0, Math.min(TimeUnit.NANOSECONDS.toMicros(toNanos - fromNanos),
        LatencyRecorder.HIGHEST_MICROS));
  }
}

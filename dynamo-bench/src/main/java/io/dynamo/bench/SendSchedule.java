package io.dynamo.bench;

import java.util.List;

/**
 * When each request of an open-loop run is meant to be sent: request {@code i} of a phase at
 * {@code phaseStart + floor(i * 1e9 / rate)} nanoseconds, whatever the answers do. Times come
 * from the schedule, never from when the previous request went out, so a sender that falls behind
 * (a GC pause, a busy core) sends the backlog at once and its lateness shows up in the latencies,
 * which are measured from these intended times (the wrk2 / HdrHistogram way of avoiding
 * coordinated omission). Pure: the caller supplies the start and reads the times.
 *
 * <p>Not thread-safe: one sender walks it.
 */
final class SendSchedule {
  private final List<RatePhase> phases;
  private final long[] phaseStarts;
  private int phase;
  private long index;

  /** {@code start} is the first phase's start, in {@link System#nanoTime} units. */
  SendSchedule(List<RatePhase> phases, long start) {
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("no phases");
    }
    this.phases = List.copyOf(phases);
    this.phaseStarts = new long[phases.size() + 1];
    long t = start;
    for (int p = 0; p < phases.size(); p++) {
      phaseStarts[p] = t;
      t += phases.get(p).duration().toNanos();
    }
    phaseStarts[phases.size()] = t;
    skipEmptyPhases();
  }

  /** Whether a request remains to be sent. */
  boolean hasNext() {
    return phase < phases.size();
  }

  /** The phase of the next request (an index into the phases). */
  int phase() {
    return phase;
  }

  /** The intended send time of the next request. */
  long intendedAt() {
    return phaseStarts[phase] + offset(phases.get(phase), index);
  }

  /** Moves on to the request after the next one. */
  void advance() {
    if (!hasNext()) {
      throw new IllegalStateException("schedule finished");
    }
    index++;
    skipEmptyPhases();
  }

  /** When phase {@code p} starts; {@code p == phases.size()} gives the end of the last phase. */
  long phaseStart(int p) {
    return phaseStarts[p];
  }

  /** The number of requests phase {@code phase} sends: those whose intended time is before its end. */
  static long requestsIn(RatePhase phase) {
    long nanos = phase.duration().toNanos();
    // offset(i) < nanos  <=>  i < nanos * rate / 1e9; the loop corrects the double's rounding.
    long n = (long) Math.ceil(nanos * phase.opsPerSecond() / 1e9);
    while (n > 0 && offset(phase, n - 1) >= nanos) {
      n--;
    }
    while (offset(phase, n) < nanos) {
      n++;
    }
    return n;
  }

  private static long offset(RatePhase phase, long i) {
    return (long) (i * phase.intervalNanos());
  }

  private void skipEmptyPhases() {
    while (phase < phases.size()
        && offset(phases.get(phase), index) >= phases.get(phase).duration().toNanos()) {
      phase++;
      index = 0;
    }
  }
}

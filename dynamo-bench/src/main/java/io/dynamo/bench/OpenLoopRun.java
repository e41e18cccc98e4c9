package io.dynamo.bench;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.RequestOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the open-loop mode end to end: a warm-up phase (not reported), the measured phase and any
 * further phases, cut into intervals at fixed times from each phase's start, then waits for the
 * answers still outstanding and builds the report. The pacer sends; this class only watches.
 */
final class OpenLoopRun {
  /** How far ahead of now the schedule starts, so the first requests are not already late. */
  private static final Duration LEAD = Duration.ofMillis(20);

  private final List<RatePhase> phases;
  private final Duration interval;
  private final Duration drainTimeout;
  private final double settleFactor;
  private final PrintStream progress;
  private final Timeline timeline;

  /**
   * @param phases the warm-up first (it may last zero seconds), then the measured phases
   * @param progress where to print a line per interval, or null for none
   */
  OpenLoopRun(
      List<RatePhase> phases, Duration interval, Duration drainTimeout, double settleFactor,
      PrintStream progress, Timeline timeline) {
    if (phases.size() < 2) {
      throw new IllegalArgumentException("need a warm-up and at least one measured phase");
    }
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    this.phases = List.copyOf(phases);
    this.interval = interval;
    this.drainTimeout = drainTimeout;
    this.settleFactor = settleFactor;
    this.progress = progress;
    this.timeline = timeline;
  }

  OpenLoopReport run(
      DynamoClient client, String bucket, RequestOptions options, Workload workload, byte[] value,
      AtomicReferenceArray<Context> contexts, int maxInFlight, long seed,
      Map<String, Object> settings) throws InterruptedException {
    OpenLoopRecorder recorder = new OpenLoopRecorder(phases.size());
    OpenLoop loop =
        new OpenLoop(client, bucket, options, workload, value, contexts, recorder, maxInFlight, seed);
    long start = System.nanoTime() + LEAD.toNanos();
    SendSchedule schedule = new SendSchedule(phases, start);
    // Interval times are relative to the start of the measured window (the second phase).
    long origin = schedule.phaseStart(1);
    List<OpenLoopReport.Interval> intervals = new ArrayList<>();
    loop.start(schedule);
    try {
      recorder.cut(); // nothing happened yet: sets the zero point of the interval counts
      for (int p = 0; p < phases.size(); p++) {
        long end = schedule.phaseStart(p + 1);
        for (long from = schedule.phaseStart(p); from - end < 0; ) {
          long to = Math.min(from + interval.toNanos(), end);
          waitUntil(to);
          record(intervals, phases.get(p).label(), from, to, origin, recorder.cut(), loop.inFlight());
          from = to;
        }
      }
      long drainStart = System.nanoTime();
      boolean drained = loop.awaitDrained(drainTimeout);
      record(intervals, "drain", drainStart, System.nanoTime(), origin, recorder.cut(), loop.inFlight());
      if (!drained && progress != null) {
        progress.printf("warning: %d requests were still unanswered %s after the run%n",
            loop.inFlight(), drainTimeout);
      }
    } finally {
      loop.stop();
    }

    List<OpenLoopReport.Phase> measured = new ArrayList<>();
    for (int p = 1; p < phases.size(); p++) {
      RatePhase phase = phases.get(p);
      OpenLoopRecorder.PhaseFigures f = recorder.phase(p);
      measured.add(new OpenLoopReport.Phase(phase.label(), phase.opsPerSecond(),
          phase.duration().toNanos() / 1e9, f.counts(), f.served(), f.shed(),
          OptionalDouble.empty()));
    }
    return new OpenLoopReport(settings,
        OpenLoopReport.withSettling(measured, intervals, settleFactor), intervals, settleFactor);
  }

  private void record(
      List<OpenLoopReport.Interval> intervals, String phase, long from, long to, long origin,
      OpenLoopRecorder.Cut cut, int inFlight) {
    OpenLoopReport.Interval i = new OpenLoopReport.Interval(
        phase, (from - origin) / 1e9, (to - from) / 1e9, System.currentTimeMillis(), cut.counts(),
        inFlight, cut.served());
    intervals.add(i);
    if (progress != null) {
      progress.println(OpenLoopReport.progressLine(i));
    }
    timeline.write(i.fields());
  }

  private static void waitUntil(long deadline) {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }
}

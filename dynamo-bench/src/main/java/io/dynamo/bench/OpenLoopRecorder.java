package io.dynamo.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The accounting of an open-loop run. Each request counts towards the phase its intended send time
 * falls in (so a phase's figures cover exactly the requests it offered, however late they were
 * answered) and towards the run's cumulative tally, which {@link #cut} reads in intervals by the
 * time things happened. Recording is wait-free and safe from any thread; {@link #cut} and
 * {@link #phase} are for one thread.
 */
final class OpenLoopRecorder {
  private final List<OpenLoopTally> phases = new ArrayList<>();
  private final OpenLoopTally run = new OpenLoopTally();
  private OpenLoopCounts lastCut = OpenLoopCounts.ZERO;

  OpenLoopRecorder(int phaseCount) {
    for (int p = 0; p < phaseCount; p++) {
      phases.add(new OpenLoopTally());
    }
  }

  /** A request was due: counted whether or not it can be sent. */
  void offered(int phase) {
    phases.get(phase).offered();
    run.offered();
  }

  /** A due request was not sent because {@code --max-in-flight} requests were outstanding. */
  void notSent(int phase) {
    phases.get(phase).notSent();
    run.notSent();
  }

  void sent(int phase) {
    phases.get(phase).sent();
    run.sent();
  }

  /** A request succeeded; its latency runs from its intended send time. */
  void served(int phase, Operation op, long intendedNanos, long endNanos) {
    long micros = OpenLoopTally.micros(intendedNanos, endNanos);
    phases.get(phase).served(op, micros);
    run.served(op, micros);
  }

  /**
   * A request failed. An {@code OVERLOADED} answer's latency runs from the actual send, since it
   * tells how fast the store refuses, not how long a caller waited in all.
   */
  void failed(int phase, long sentNanos, long endNanos, Throwable error) {
    String type = LatencyRecorder.errorType(error);
    for (OpenLoopTally t : List.of(phases.get(phase), run)) {
      switch (type) {
        case "OVERLOADED" -> t.overloaded(OpenLoopTally.micros(sentNanos, endNanos));
        case "TIMEOUT" -> t.timedOut();
        default -> t.failed(type);
      }
    }
  }

  /** What happened since the previous cut (by when it happened), and the served latencies. */
  Cut cut() {
    OpenLoopCounts now = run.counts();
    OpenLoopCounts interval = now.minus(lastCut);
    lastCut = now;
    run.shedSinceLastRead(); // the run's shed latencies are reported per phase only
    return new Cut(interval, Latency.of(run.servedSinceLastRead()));
  }

  /** One phase's requests; call once, after they have drained. */
  PhaseFigures phase(int p) {
    OpenLoopTally t = phases.get(p);
    return new PhaseFigures(
        t.counts(), Latency.of(t.servedSinceLastRead()), Latency.of(t.shedSinceLastRead()));
  }

  record Cut(OpenLoopCounts counts, Latency served) {}

  record PhaseFigures(OpenLoopCounts counts, Latency served, Latency shed) {}
}

package io.dynamo.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * What became of the requests of an open-loop phase or interval. Every scheduled request is
 * {@code offered}; it is either sent or, when {@code --max-in-flight} requests were already
 * waiting, counted as not sent (client limit), never silently dropped. A sent request ends served
 * ({@code okGets + okPuts}), refused with {@code OVERLOADED}, timed out, failed otherwise (by
 * status code or exception class), or is still unfinished when the run gave up waiting.
 */
record OpenLoopCounts(
    long offered, long notSent, long sent, long okGets, long okPuts, long overloaded, long timeouts,
    Map<String, Long> errors) {

  static final OpenLoopCounts ZERO = new OpenLoopCounts(0, 0, 0, 0, 0, 0, 0, Map.of());

  OpenLoopCounts {
    errors = Map.copyOf(errors);
  }

  long ok() {
    return okGets + okPuts;
  }

  long otherErrors() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Sent requests with an outcome. */
  long answered() {
    return ok() + overloaded + timeouts + otherErrors();
  }

  /** Sent requests without an outcome (in flight when the run stopped waiting). */
  long unfinished() {
    return sent - answered();
  }

  /** The share of answered requests that were refused with {@code OVERLOADED}, in [0, 1]. */
  double shedFraction() {
    long answered = answered();
    return answered == 0 ? 0 : overloaded / (double) answered;
  }

  /** These counts less {@code earlier} ones, for an interval of cumulative counts. */
  OpenLoopCounts minus(OpenLoopCounts earlier) {
    Map<String, Long> e = new TreeMap<>(errors);
    earlier.errors.forEach((k, v) -> e.merge(k, -v, Long::sum));
    e.values().removeIf(v -> v == 0);
    return new OpenLoopCounts(
        offered - earlier.offered, notSent - earlier.notSent, sent - earlier.sent,
        okGets - earlier.okGets, okPuts - earlier.okPuts, overloaded - earlier.overloaded,
        timeouts - earlier.timeouts, e);
  }
}

package io.dynamo.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * A closed-loop run's answers by kind, counted from the start or over one interval (the
 * {@code --timeline} lines): successful gets and puts, and errors by status code or exception.
 */
record ClosedLoopCounts(long okGets, long okPuts, Map<String, Long> errors) {

  ClosedLoopCounts {
    errors = Map.copyOf(errors);
  }

  ClosedLoopCounts minus(ClosedLoopCounts earlier) {
    Map<String, Long> e = new TreeMap<>(errors);
    earlier.errors.forEach((k, v) -> e.merge(k, -v, Long::sum));
    e.values().removeIf(v -> v == 0);
    return new ClosedLoopCounts(okGets - earlier.okGets, okPuts - earlier.okPuts, e);
  }
}

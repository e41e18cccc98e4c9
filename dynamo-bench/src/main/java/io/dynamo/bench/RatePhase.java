package io.dynamo.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * One stretch of an open-loop run: {@code opsPerSecond} requests a second, evenly spaced, for
 * {@code duration}. A run is a list of them (warm-up, the measured phase, then any {@code --then}).
 */
record RatePhase(String label, double opsPerSecond, Duration duration) {

  RatePhase {
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("a phase needs a label");
    }
    if (!(opsPerSecond > 0) || Double.isInfinite(opsPerSecond)) {
      throw new IllegalArgumentException("rate must be positive: " + opsPerSecond);
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative: " + duration);
    }
  }

  /**
   * Parses {@code OPS:DURATION} as {@code --then} takes it, e.g. {@code 45000:60s}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static RatePhase parse(String label, String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected OPS:DURATION such as 45000:60s, got " + text);
    }
    double ops;
    try {
      ops = Double.parseDouble(text.substring(0, colon).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a rate: " + text.substring(0, colon));
    }
    Duration d = new BenchOptions.DurationConverter().convert(text.substring(colon + 1));
    if (d.isZero()) {
      throw new IllegalArgumentException("a phase's duration must be positive: " + text);
    }
    return new RatePhase(label, ops, d);
  }

  /** Nanoseconds between two intended sends. */
  double intervalNanos() {
    return 1e9 / opsPerSecond;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s %.1f ops/s for %s", label, opsPerSecond, duration);
  }
}

package io.dynamo.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The results of an open-loop run: per measured phase, the offered rate, what was sent, goodput,
 * OVERLOADED answers, timeouts, other errors and latency percentiles of served requests (from the
 * intended send time); and the same per interval. A table for people, JSON for scripts.
 *
 * @param settleFactor an interval counts as back to normal when its p99 is at most this many times
 *     the first measured phase's p99 and nothing in it timed out
 */
record OpenLoopReport(
    Map<String, Object> settings, List<Phase> phases, List<Interval> intervals, double settleFactor) {

  OpenLoopReport {
    settings = Map.copyOf(settings);
    phases = List.copyOf(phases);
    intervals = List.copyOf(intervals);
  }

  /**
   * One measured phase; counts cover the requests whose intended send time fell in it.
   *
   * @param settledAfter seconds from the phase's start until its intervals' latency was back to
   *     normal for good (see {@link OpenLoopReport}); empty for the first phase, the reference, or
   *     when it never was
   */
  record Phase(
      String label, double offeredRate, double seconds, OpenLoopCounts counts, Latency served,
      Latency shed, OptionalDouble settledAfter) {

    double goodput() {
      return seconds > 0 ? counts.ok() / seconds : 0;
    }

    double sentRate() {
      return seconds > 0 ? counts.sent() / seconds : 0;
    }
  }

  /**
   * What happened in one interval, by when it happened: requests offered and sent in it, answers
   * that arrived in it and their latencies.
   *
   * @param start seconds from the start of the measured window (negative in the warm-up)
   */
  record Interval(
      String phase, double start, double seconds, long epochMillis, OpenLoopCounts counts,
      long inFlight, Latency served) {

    boolean normal(long referenceP99, double factor) {
      return served.count() > 0 && counts.timeouts() == 0 && served.p99() <= factor * referenceP99;
    }

    Map<String, Object> fields() {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("t", round(start));
      f.put("epoch_ms", epochMillis);
      f.put("phase", phase);
      f.put("seconds", round(seconds));
      putCounts(f, counts);
      f.put("in_flight", inFlight);
      putLatency(f, "", served);
      return f;
    }
  }

  /**
   * Seconds from the start of {@code phase} until the first of its intervals from which on every
   * interval is normal; empty if the last one is not.
   */
  static OptionalDouble settledAfter(
      List<Interval> intervals, String phase, long referenceP99, double factor) {
    List<Interval> own = intervals.stream().filter(i -> i.phase().equals(phase)).toList();
    if (own.isEmpty() || referenceP99 <= 0) {
      return OptionalDouble.empty();
    }
    int first = own.size();
    while (first > 0 && own.get(first - 1).normal(referenceP99, factor)) {
      first--;
    }
    return first == own.size()
        ? OptionalDouble.empty()
        : OptionalDouble.of(own.get(first).start() - own.get(0).start());
  }

  String table() {
    StringBuilder b = new StringBuilder("settings:");
    new TreeMap<>(settings).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    b.append("\nopen loop: latency of served requests from their intended send time, in ms\n\n");
    String header = "%-8s %7s %10s %10s %10s %8s %11s %7s %8s %7s %9s %10s %8s %8s %8s %9s %9s%n";
    b.append(String.format(Locale.ROOT, header, "phase", "seconds", "offered/s", "sent/s",
        "goodput/s", "ok", "overloaded", "shed %", "timeouts", "errors", "not sent", "unfinished",
        "p50", "p99", "p99.9", "max", "settled"));
    for (Phase p : phases) {
      OpenLoopCounts c = p.counts();
      b.append(String.format(Locale.ROOT,
          "%-8s %7.1f %10.1f %10.1f %10.1f %8d %11d %7.2f %8d %7d %9d %10d %8s %8s %8s %9s %9s%n",
          p.label(), p.seconds(), p.offeredRate(), p.sentRate(), p.goodput(), c.ok(), c.overloaded(),
          100 * c.shedFraction(), c.timeouts(), c.otherErrors(), c.notSent(), c.unfinished(),
          millis(p.served().p50()), millis(p.served().p99()), millis(p.served().p999()),
          millis(p.served().max()), settled(p)));
    }
    for (Phase p : phases) {
      if (!p.counts().errors().isEmpty()) {
        b.append("errors ").append(p.label()).append(':');
        new TreeMap<>(p.counts().errors()).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        b.append('\n');
      }
      if (p.shed().count() > 0) {
        b.append(String.format(Locale.ROOT,
            "OVERLOADED answers %s (from the actual send): p50 %s  p99 %s  max %s ms%n", p.label(),
            millis(p.shed().p50()), millis(p.shed().p99()), millis(p.shed().max())));
      }
    }
    b.append(String.format(Locale.ROOT,
        "settled: seconds into the phase until every later interval had p99 <= %.1f x the first"
            + " phase's p99 and no timeouts%n", settleFactor));
    return b.toString();
  }

  String json() {
    StringBuilder b = new StringBuilder("{\"settings\":");
    JsonText.object(b, new TreeMap<>(settings));
    b.append(",\"mode\":\"open-loop\",\"settle_factor\":").append(settleFactor).append(",\"phases\":[");
    for (int i = 0; i < phases.size(); i++) {
      Phase p = phases.get(i);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("phase", p.label());
      f.put("seconds", round(p.seconds()));
      f.put("offered_per_sec", round(p.offeredRate()));
      f.put("sent_per_sec", round(p.sentRate()));
      f.put("goodput_per_sec", round(p.goodput()));
      f.put("shed_fraction", Math.round(p.counts().shedFraction() * 1e6) / 1e6);
      putCounts(f, p.counts());
      f.put("unfinished", p.counts().unfinished());
      putLatency(f, "", p.served());
      putLatency(f, "overloaded_", p.shed());
      f.put("settled_after_s", p.settledAfter().isPresent() ? round(p.settledAfter().getAsDouble()) : null);
      b.append(i == 0 ? "" : ",");
      JsonText.object(b, f);
    }
    b.append("],\"intervals\":[");
    for (int i = 0; i < intervals.size(); i++) {
      b.append(i == 0 ? "" : ",");
      JsonText.object(b, intervals.get(i).fields());
    }
    return b.append("]}").toString();
  }

  /** One interval as a progress line for stderr. */
  static String progressLine(Interval i) {
    OpenLoopCounts c = i.counts();
    double s = i.seconds() > 0 ? i.seconds() : 1;
    return String.format(Locale.ROOT,
        "[%-7s %7.1f s] offered %8.0f/s sent %8.0f/s goodput %8.0f/s overloaded %7d (%5.1f %%)"
            + " timeouts %d errors %d not-sent %d in-flight %d | p50 %s p99 %s p99.9 %s max %s ms",
        i.phase(), i.start() + i.seconds(), c.offered() / s, c.sent() / s, c.ok() / s,
        c.overloaded(), 100 * c.shedFraction(), c.timeouts(), c.otherErrors(), c.notSent(),
        i.inFlight(), millis(i.served().p50()), millis(i.served().p99()),
        millis(i.served().p999()), millis(i.served().max()));
  }

  private String settled(Phase p) {
    return p.settledAfter().isPresent()
        ? String.format(Locale.ROOT, "%.1f s", p.settledAfter().getAsDouble())
        : phases.indexOf(p) == 0 ? "-" : "never";
  }

  private static void putCounts(Map<String, Object> f, OpenLoopCounts c) {
    f.put("offered", c.offered());
    f.put("sent", c.sent());
    f.put("not_sent", c.notSent());
    f.put("ok", c.ok());
    f.put("ok_gets", c.okGets());
    f.put("ok_puts", c.okPuts());
    f.put("overloaded", c.overloaded());
    f.put("timeouts", c.timeouts());
    f.put("errors", new TreeMap<>(c.errors()));
  }

  private static void putLatency(Map<String, Object> f, String prefix, Latency l) {
    f.put(prefix + "p50_us", l.p50());
    f.put(prefix + "p99_us", l.p99());
    f.put(prefix + "p999_us", l.p999());
    f.put(prefix + "max_us", l.max());
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static String millis(long micros) {
    return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
  }

  /** The measured phases' reference p99: the first's. */
  static long referenceP99(List<Phase> phases) {
    return phases.isEmpty() ? 0 : phases.get(0).served().p99();
  }

  static List<Phase> withSettling(List<Phase> phases, List<Interval> intervals, double factor) {
    long ref = referenceP99(phases);
    List<Phase> out = new ArrayList<>();
    for (int i = 0; i < phases.size(); i++) {
      Phase p = phases.get(i);
      out.add(new Phase(p.label(), p.offeredRate(), p.seconds(), p.counts(), p.served(), p.shed(),
          i == 0 ? OptionalDouble.empty() : settledAfter(intervals, p.label(), ref, factor)));
    }
    return out;
  }
}

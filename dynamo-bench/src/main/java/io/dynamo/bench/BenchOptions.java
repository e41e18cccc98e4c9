package io.dynamo.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The command-line options of the load generator, with their defaults. */
final class BenchOptions {
  enum Distribution {
    UNIFORM,
    ZIPFIAN
  }

  @Option(names = "--nodes", required = true, split = ",", paramLabel = "HOST:PORT",
      description = "Client addresses of the nodes; requests are spread over all of them.")
  List<String> nodes;

  @Option(names = {"-c", "--clients"}, defaultValue = "16",
      description = "Concurrent clients, each with one request in flight (default: ${DEFAULT-VALUE});"
          + " in the open loop, only the load phase's.")
  int clients;

  @Option(names = {"-d", "--duration"}, defaultValue = "30s", converter = DurationConverter.class,
      description = "How long to measure, after the warm-up: 500ms, 30s, 2m (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "10s", converter = DurationConverter.class,
      description = "Load without measuring first (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--read-ratio", defaultValue = "0.5",
      description = "Fraction of requests that are gets; the rest are puts (default: ${DEFAULT-VALUE}).")
  double readRatio;

  @Option(names = "--value-size", defaultValue = "1024",
      description = "Bytes per value (default: ${DEFAULT-VALUE}).")
  int valueSize;

  @Option(names = "--keys", defaultValue = "100000",
      description = "Number of distinct keys (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--key-distribution", defaultValue = "uniform",
      description = "uniform or zipfian (default: ${DEFAULT-VALUE}).")
  String keyDistribution;

  @Option(names = "--zipfian-theta", defaultValue = "0.99",
      description = "Skew of the zipfian distribution, in (0, 1) (default: ${DEFAULT-VALUE}).")
  double zipfianTheta;

  @Option(names = "--bucket", defaultValue = "bench", description = "Bucket (default: ${DEFAULT-VALUE}).")
  String bucket;

  @Option(names = {"--r", "-r"}, defaultValue = "0",
      description = "Read quorum per get; 0 = the bucket's (default: ${DEFAULT-VALUE}).")
  int r;

  @Option(names = {"--w", "-w"}, defaultValue = "0",
      description = "Write quorum per put; 0 = the bucket's (default: ${DEFAULT-VALUE}).")
  int w;

  @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class,
      description = "Deadline of one request (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--io-threads", defaultValue = "2",
      description = "Client I/O threads, which also drive the load (default: ${DEFAULT-VALUE}).")
  int ioThreads;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of the key, operation and value choices (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--no-load", description = "Skip the load phase (the keys were written before).")
  boolean noLoad;

  @Option(names = "--progress", defaultValue = "5s", converter = DurationConverter.class,
      description = "Interval of the progress lines on stderr; 0 for none (default: ${DEFAULT-VALUE}).")
  Duration progress;

  @Option(names = "--json", description = "Print the report as JSON instead of a table.")
  boolean json;

  @Option(names = "--timeline", paramLabel = "FILE",
      description = "Also write one JSON line per progress interval to FILE (needs --progress > 0).")
  Path timeline;

  // ---- open loop ---------------------------------------------------------------------------

  @Option(names = "--rate", defaultValue = "0", paramLabel = "OPS",
      description = "Open loop: send OPS requests/s on a fixed schedule, whatever the answers do,"
          + " and time each from its intended send time; 0 = closed loop (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--then", paramLabel = "OPS:DURATION",
      description = "Open loop: after --duration, run OPS requests/s for DURATION, measured as a"
          + " phase of its own (repeatable), e.g. --then 45000:60s --then 7500:30s.")
  List<String> then = new ArrayList<>();

  @Option(names = "--max-in-flight", defaultValue = "10000",
      description = "Open loop: most requests outstanding; a request due beyond it is counted as"
          + " not sent (client limit) (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(names = "--routing", defaultValue = "partition-aware",
      description = "partition-aware (each request straight to a replica of its key) or server"
          + " (to the --nodes in turn, which route it) (default: ${DEFAULT-VALUE}).")
  String routing;

  @Option(names = "--hedge-percentile", defaultValue = "0",
      description = "Hedge gets after this percentile of recent get latency, e.g. 95; 0: no"
          + " hedging (default: ${DEFAULT-VALUE}).")
  double hedgePercentile;

  @Option(names = "--hedge-fraction", defaultValue = "0.05",
      description = "Most extra gets hedging may send, as a fraction of gets (default: ${DEFAULT-VALUE}).")
  double hedgeFraction;

  @Option(names = "--settle-factor", defaultValue = "2",
      description = "Open loop: an interval is back to normal when its p99 is at most this times"
          + " the measured phase's p99 and nothing timed out (default: ${DEFAULT-VALUE}).")
  double settleFactor;

  /** Checks the values together; returns an error message, or null if they are fine. */
  String validate() {
    if (clients < 1) {
      return "--clients must be at least 1";
    }
    if (duration.isZero() || duration.isNegative() || warmup.isNegative() || progress.isNegative()) {
      return "--duration must be positive, --warmup and --progress not negative";
    }
    if (!(readRatio >= 0 && readRatio <= 1)) {
      return "--read-ratio must be between 0 and 1";
    }
    if (valueSize < 0 || keys < 1 || r < 0 || w < 0 || ioThreads < 1) {
      return "--value-size, --r and --w must not be negative; --keys and --io-threads must be positive";
    }
    if (!routing.equals("partition-aware") && !routing.equals("server")) {
      return "--routing must be partition-aware or server";
    }
    if (hedgePercentile < 0 || hedgePercentile >= 100 || hedgeFraction <= 0 || hedgeFraction > 1) {
      return "--hedge-percentile must be within [0, 100), --hedge-fraction within (0, 1]";
    }
    if (timeline != null && progress.isZero()) {
      return "--timeline needs --progress > 0 (its lines are the progress intervals)";
    }
    String open = validateOpenLoop();
    if (open != null) {
      return open;
    }
    try {
      distribution();
    } catch (IllegalArgumentException e) {
      return "--key-distribution: expected uniform or zipfian, got " + keyDistribution;
    }
    return null;
  }

  private String validateOpenLoop() {
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      return "--rate must be a number of requests/s, 0 for the closed loop";
    }
    if (rate == 0) {
      return then.isEmpty() ? null : "--then needs --rate (it adds open-loop phases)";
    }
    if (maxInFlight < 1 || !(settleFactor >= 1)) {
      return "--max-in-flight must be positive and --settle-factor at least 1";
    }
    try {
      phases();
    } catch (IllegalArgumentException e) {
      return "--then: " + e.getMessage();
    }
    return null;
  }

  boolean openLoop() {
    return rate > 0;
  }

  /** The open loop's phases: warm-up, measure, then1, then2...; the warm-up may last 0 s. */
  List<RatePhase> phases() {
    List<RatePhase> phases = new ArrayList<>();
    phases.add(new RatePhase("warmup", rate, warmup));
    phases.add(new RatePhase("measure", rate, duration));
    for (int i = 0; i < then.size(); i++) {
      phases.add(RatePhase.parse("then" + (i + 1), then.get(i)));
    }
    return phases;
  }

  Distribution distribution() {
    return Distribution.valueOf(keyDistribution.trim().toUpperCase(Locale.ROOT));
  }

  KeyDistribution keyChooser() {
    return distribution() == Distribution.ZIPFIAN
        ? KeyDistribution.zipfian(keys, zipfianTheta)
        : KeyDistribution.uniform(keys);
  }

  /** The settings that shape the figures, for the report header. */
  Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("nodes", String.join(",", nodes));
    s.put("clients", clients);
    s.put("duration_s", duration.toMillis() / 1000.0);
    s.put("warmup_s", warmup.toMillis() / 1000.0);
    s.put("read_ratio", readRatio);
    s.put("value_size", valueSize);
    s.put("keys", keys);
    s.put("key_distribution", distribution() == Distribution.ZIPFIAN
        ? "zipfian(" + zipfianTheta + ")" : "uniform");
    s.put("bucket", bucket);
    s.put("r", r == 0 ? "bucket" : r);
    s.put("w", w == 0 ? "bucket" : w);
    s.put("io_threads", ioThreads);
    s.put("seed", seed);
    s.put("routing", routing);
    if (hedgePercentile > 0) {
      s.put("hedge_percentile", hedgePercentile);
      s.put("hedge_fraction", hedgeFraction);
    }
    if (openLoop()) {
      // Only in the open loop: the closed loop's header stays as scripts parse it.
      s.put("rate", rate);
      s.put("then", String.join(",", then));
      s.put("max_in_flight", maxInFlight);
      // In the open loop --clients only sets the load phase's concurrency.
      s.put("load_clients", s.remove("clients"));
    }
    return s;
  }

  /** Parses 250ms, 30s, 2m, 1h, a bare number of seconds, or ISO-8601 (PT30S). */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
      String s = text.trim().toLowerCase(Locale.ROOT);
      if (s.startsWith("pt")) {
        return Duration.parse(s);
      }
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      long n;
      try {
        n = Long.parseLong(s.replaceAll("[smh]$", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 2m: " + text);
      }
      return switch (s.charAt(s.length() - 1)) {
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }
  }
}


package io.dynamo.bench;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.RequestOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A load generator for a Dynamo cluster: writes every key once, then runs a get/put mix, warms up,
 * measures, and prints throughput and latency percentiles. Closed loop by default (a fixed number
 * of concurrent clients); with {@code --rate}, an open loop at a fixed rate in phases (see
 * {@link OpenLoopRun}). The report goes to stdout, progress to stderr.
 */
@Command(name = "dynamo-bench", sortOptions = false,
    description = "Load generator: throughput and p50/p99/p99.9 latency per operation, in a closed"
        + " loop (--clients) or an open loop (--rate).")
public final class LoadGenerator implements Callable<Integer> {
  @Mixin private final BenchOptions o = new BenchOptions();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  private final PrintStream out;
  private final PrintStream err;

  public LoadGenerator() {
    this(System.out, System.err);
  }

  /** Reports to {@code out}, progress and warnings to {@code err} (tests capture both). */
  LoadGenerator(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(commandLine(new LoadGenerator()).execute(args));
  }

  static String hedgeSummary(io.micrometer.core.instrument.MeterRegistry registry) {
    double sent = registry.find("dynamo.client.hedges").tag("result", "sent").counters()
        .stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    double won = registry.find("dynamo.client.hedges").tag("result", "won").counters()
        .stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    double gets = registry.find("dynamo.client.requests").tag("op", "get").timers()
        .stream().mapToDouble(io.micrometer.core.instrument.Timer::count).sum();
    return String.format(java.util.Locale.ROOT,
        "hedges: %.0f sent, %.0f answered first, of %.0f gets (%.2f%% extra gets)",
        sent, won, gets, gets == 0 ? 0 : 100 * sent / gets);
  }

  static CommandLine commandLine(LoadGenerator generator) {
    // Later options win, so a wrapper script can put defaults first (scripts/bench.sh --quick).
    return new CommandLine(generator).setOverwrittenOptionsAllowed(true);
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    String invalid = o.validate();
    if (invalid != null) {
      err.println("error: " + invalid);
      return 2;
    }
    DynamoClient.Builder builder =
        DynamoClient.builder()
            .ioThreads(o.ioThreads)
            .timeout(o.timeout)
            .routing(o.routing.equals("server") ? DynamoClient.Routing.SERVER : DynamoClient.Routing.PARTITION_AWARE);
    if (o.hedgePercentile > 0) {
      builder.hedgeReads(o.hedgePercentile, o.hedgeFraction);
    }
    o.nodes.forEach(n -> builder.node(n.trim()));
    RequestOptions options = new RequestOptions(o.r, o.w, null);
    byte[] value = new byte[o.valueSize];
    new SplittableRandom(o.seed).nextBytes(value); // incompressible, as real values mostly are
    AtomicReferenceArray<Context> contexts = new AtomicReferenceArray<>(o.keys);
    ExecutorService afterError = Executors.newSingleThreadExecutor(r -> daemon(r, "bench-retry"));
    try (DynamoClient client = builder.build()) {
      if (o.routing.equals("partition-aware")) {
        // So that the measured window is routed as asked.
        if (!client.awaitMap(Duration.ofSeconds(10))) {
          err.println("warning: no cluster map after 10 s; requests go to the --nodes until one loads");
        }
      }
      if (!o.noLoad && !load(new Preloader(client, o.bucket, options, value, contexts, afterError))) {
        return 1;
      }
      if (o.openLoop()) {
        return openLoop(client, options, value, contexts);
      }
      long windowStart = System.nanoTime() + o.warmup.toNanos();
      long windowEnd = windowStart + o.duration.toNanos();
      LatencyRecorder recorder = new LatencyRecorder(windowStart, windowEnd);
      ClosedLoop loop =
          new ClosedLoop(client, o.bucket, options, new Workload(o.readRatio, o.keyChooser()),
              value, contexts, recorder, afterError);
      loop.start(o.clients, o.seed);
      try (Timeline timeline = timeline()) {
        showProgress(recorder, windowStart, windowEnd, timeline);
      }
      if (!loop.stop(o.timeout.plusSeconds(1))) {
        err.println("warning: some requests did not finish within the timeout after the run");
      }
      Report report = recorder.report(o.settings());
      out.print(o.json ? report.json() + System.lineSeparator() : report.table());
      if (o.hedgePercentile > 0) {
        // Over the whole run (warm-up included): the extra load hedging added.
        err.println(hedgeSummary(client.meterRegistry()));
      }
      out.flush();
      return report.rows().get(report.rows().size() - 1).count() > 0 ? 0 : 1;
    } finally {
      afterError.shutdownNow();
    }
  }

  /** The open-loop mode (--rate): phases at fixed rates, latency from the intended send times. */
  private int openLoop(
      DynamoClient client, RequestOptions options, byte[] value, AtomicReferenceArray<Context> contexts)
      throws IOException, InterruptedException {
    Duration interval = o.progress.isZero() ? Duration.ofSeconds(1) : o.progress;
    OpenLoopReport report;
    try (Timeline timeline = timeline()) {
      OpenLoopRun run = new OpenLoopRun(o.phases(), interval, o.timeout.plusSeconds(1),
          o.settleFactor, o.progress.isZero() ? null : err, timeline);
      report = run.run(client, o.bucket, options, new Workload(o.readRatio, o.keyChooser()), value,
          contexts, o.maxInFlight, o.seed, o.settings());
    }
    out.print(o.json ? report.json() + System.lineSeparator() : report.table());
    out.flush();
    return report.phases().stream().anyMatch(p -> p.counts().ok() > 0) ? 0 : 1;
  }

  private Timeline timeline() throws IOException {
    return o.timeline == null ? Timeline.none() : Timeline.open(o.timeline);
  }

  /** Writes every key once; false if none could be written. */
  private boolean load(Preloader preloader) throws InterruptedException {
    err.printf(Locale.ROOT, "loading %d keys of %d bytes...%n", o.keys, o.valueSize);
    long start = System.nanoTime();
    long failures = preloader.run(o.clients);
    double seconds = (System.nanoTime() - start) / 1e9;
    err.printf(Locale.ROOT, "loaded in %.1f s (%.0f puts/s)%n", seconds, o.keys / seconds);
    if (failures > 0) {
      err.printf(Locale.ROOT, "%s: %d of %d puts failed, the first with %s%n",
          failures == o.keys ? "error" : "warning", failures, o.keys, preloader.firstError());
    }
    return failures < o.keys;
  }

  /** Prints a line per progress interval until the window closes. */
  private void showProgress(
      LatencyRecorder recorder, long windowStart, long windowEnd, Timeline timeline) {
    long begin = System.nanoTime();
    long interval = o.progress.isZero() ? Long.MAX_VALUE : o.progress.toNanos();
    long lastAt = begin;
    long lastDone = 0;
    ClosedLoopCounts lastCounts = recorder.counts();
    long now;
    while ((now = System.nanoTime()) - windowEnd < 0) {
      LockSupport.parkNanos(Math.min(interval, windowEnd - now));
      now = System.nanoTime();
      if (!o.progress.isZero() && (now - lastAt >= interval || now - windowEnd >= 0)) {
        long done = recorder.completed() + recorder.failed();
        err.printf(Locale.ROOT, "[%-7s %6.1f s] %9.0f requests/s, %d errors so far%n",
            lastAt - windowStart < 0 ? "warmup" : "measure", (now - begin) / 1e9,
            (done - lastDone) / ((now - lastAt) / 1e9), recorder.failed());
        ClosedLoopCounts counts = recorder.counts();
        Map<String, Object> fields =
            timelineFields(lastAt - windowStart, now - lastAt, counts.minus(lastCounts));
        latencyFields(fields, recorder.intervalLatency());
        timeline.write(fields);
        lastCounts = counts;
        lastAt = now;
        lastDone = done;
      }
    }
  }

  /** One closed-loop timeline line: answers by kind over an interval starting {@code from} ns into the window. */
  private static Map<String, Object> timelineFields(long from, long nanos, ClosedLoopCounts c) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("t", Math.round(from / 1e6) / 1e3);
    f.put("epoch_ms", System.currentTimeMillis());
    f.put("phase", from < 0 ? "warmup" : "measure");
    f.put("seconds", Math.round(nanos / 1e6) / 1e3);
    f.put("ok_gets", c.okGets());
    f.put("ok_puts", c.okPuts());
    f.put("errors", new TreeMap<>(c.errors()));
    return f;
  }

  /**
   * The interval's latency of successful requests (gets and puts together): p50/p99/p99.9/max in
   * microseconds, and the histogram itself as [value, count] pairs (two significant digits), so
   * that a script can merge intervals into windows and take exact percentiles of the merge
   * (scripts/membership-run.sh).
   */
  static void latencyFields(Map<String, Object> f, org.HdrHistogram.Histogram h) {
    boolean any = h.getTotalCount() > 0;
    f.put("p50_us", any ? h.getValueAtPercentile(50) : 0);
    f.put("p99_us", any ? h.getValueAtPercentile(99) : 0);
    f.put("p999_us", any ? h.getValueAtPercentile(99.9) : 0);
    f.put("max_us", any ? h.getMaxValue() : 0);
    java.util.List<Object> pairs = new java.util.ArrayList<>();
    for (org.HdrHistogram.HistogramIterationValue v : h.recordedValues()) {
      pairs.add(java.util.List.of(h.highestEquivalentValue(v.getValueIteratedTo()), v.getCountAtValueIteratedTo()));
    }
    f.put("latency_us", pairs);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}

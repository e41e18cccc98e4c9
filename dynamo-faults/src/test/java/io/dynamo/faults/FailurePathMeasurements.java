package io.dynamo.faults;

import io.dynamo.testkit.AcknowledgedWrites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The failure-path measurements behind {@code scripts/faults.sh}, on 5-node clusters started by
 * {@link ProcessCluster}:
 *
 * <ul>
 *   <li>{@code handoff [--hints N] [--set KEY=VALUE]...}: kill -9 n1, write keys homed on n1 until N
 *       hints (default 10,000) are queued for it across the cluster, restart n1 and time until no
 *       node holds a hint for it; then check that n1 holds every value.
 *   <li>{@code bench [--kill-at S] [--restart-at S] [--duration S] [--baseline] [-- bench options]}:
 *       the load generator ({@code scripts/bench.sh}) against n1..n4 while n5 is killed at S seconds
 *       into the measured window and restarted later ({@code --baseline}: no fault).
 * </ul>
 */
public final class FailurePathMeasurements {
  private static final String BUCKET = "faults";

  private FailurePathMeasurements() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: FailurePathMeasurements handoff|bench [options]");
      System.exit(2);
    }
    List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
    switch (args[0]) {
      case "handoff" -> handoff(rest);
      case "bench" -> bench(rest);
      default -> {
        System.err.println("unknown measurement " + args[0]);
        System.exit(2);
      }
    }
    System.exit(0);
  }

  // ---- hinted handoff of N hints -------------------------------------------------------------

  private static void handoff(List<String> args) {
    int target = 10_000;
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--hints" -> target = Integer.parseInt(args.get(++i));
        case "--set" -> {
          String[] kv = args.get(++i).split("=", 2);
          settings.put(kv[0], kv[1]);
        }
        default -> throw new IllegalArgumentException("unknown option " + args.get(i));
      }
    }
    ProcessCluster.Builder b = ProcessCluster.builder().name("measure-handoff").nodes(5);
    settings.forEach(b::set);
    try (ProcessCluster cluster = b.start()) {
      String victim = "n1";
      List<String> others = new ArrayList<>(cluster.ids());
      others.remove(victim);
      say("5 nodes up in %s; settings %s", cluster.dir(), settings);
      cluster.kill(victim);
      Conditions.awaitSeen(cluster, others, List.of(victim), false, Duration.ofSeconds(30));
      say("killed %s; the others see it down", victim);

      AcknowledgedWrites history = new AcknowledgedWrites(BUCKET);
      Writer writer = new Writer(cluster.clientOf(others), history, 2, 32);
      HintQueueChecker hints = new HintQueueChecker(cluster);
      List<String> keys = Keys.homed(cluster, BUCKET, "h", target, h -> h.contains(victim));
      long start = System.nanoTime();
      List<String> failed = writer.write(keys, "v");
      double writeSeconds = (System.nanoTime() - start) / 1e9;
      long queued = hints.count(others, victim);
      say("wrote %d keys homed on %s in %.1f s (%d failed); hints queued for %s: %d",
          keys.size(), victim, writeSeconds, failed.size(), victim, queued);
      if (queued < target) {
        // A write's hint may be missing if a put failed; top up with more keys.
        List<String> more = Keys.homed(cluster, BUCKET, "h2", target - (int) queued, h -> h.contains(victim));
        writer.write(more, "v");
        queued = hints.count(others, victim);
        say("topped up: hints queued for %s: %d", victim, queued);
      }

      long restartStart = System.nanoTime();
      cluster.restart(victim);
      long serving = System.nanoTime();
      long seenUp = 0;
      long lastLog = serving;
      while (true) {
        if (seenUp == 0 && Conditions.seen(cluster, others, List.of(victim), true)) {
          seenUp = System.nanoTime();
        }
        long left = hints.count(cluster.ids(), victim);
        long now = System.nanoTime();
        if (left == 0 && hints.violations(cluster.ids(), List.of(victim)).isEmpty()) {
          break;
        }
        if (now - lastLog > 2_000_000_000L) {
          say("  %.1f s after serving: %d hints left", (now - serving) / 1e9, left);
          lastLog = now;
        }
        if (now - serving > TimeUnit.MINUTES.toNanos(10)) {
          throw new IllegalStateException(left + " hints still queued after 10 minutes");
        }
        pollPause();
      }
      long drained = System.nanoTime();
      List<String> missing = new HomeReplicaChecker(cluster).violations(history, List.of(victim));
      say("RESULT handoff: %d hints for %s delivered %.2f s after it served again"
              + " (%.2f s after its restart began; peers saw it up after %.2f s); %.0f hints/s;"
              + " %s copies missing or stale afterwards: %d",
          queued, victim, (drained - serving) / 1e9, (drained - restartStart) / 1e9,
          seenUp == 0 ? Double.NaN : (seenUp - serving) / 1e9, queued / ((drained - serving) / 1e9),
          victim, missing.size());
      missing.stream().limit(5).forEach(m -> say("  %s", m));
    }
  }

  /** The measurement polls as fast as a status round trip allows, at most every 20 ms. */
  private static void pollPause() {
    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
  }

  // ---- load generator while a node dies and comes back ---------------------------------------

  private static void bench(List<String> args) throws Exception {
    int killAt = 15;
    int restartAt = 35;
    // warm-up and duration in whole seconds, so the fault times line up with the window
    int warmup = 10;
    int duration = 60;
    boolean baseline = false;
    List<String> benchOptions = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--kill-at" -> killAt = Integer.parseInt(args.get(++i));
        case "--restart-at" -> restartAt = Integer.parseInt(args.get(++i));
        case "--warmup" -> warmup = Integer.parseInt(args.get(++i));
        case "--duration" -> duration = Integer.parseInt(args.get(++i));
        case "--baseline" -> baseline = true;
        case "--" -> {
          benchOptions.addAll(args.subList(i + 1, args.size()));
          i = args.size();
        }
        default -> throw new IllegalArgumentException("unknown option " + args.get(i));
      }
    }
    Path checkout = ProcessCluster.locateCheckout();
    try (ProcessCluster cluster = ProcessCluster.builder().name("measure-bench").nodes(5).start()) {
      String victim = "n5";
      List<String> addresses = new ArrayList<>();
      for (String id : cluster.ids()) {
        if (!id.equals(victim)) {
          addresses.add(cluster.clientAddress(id));
        }
      }
      String nodes = String.join(",", addresses);
      say("5 nodes up in %s; the load generator talks to n1..n4 (%s)", cluster.dir(), nodes);

      // Load the keys first, so the measured run starts at a known moment after launch.
      List<String> load = new ArrayList<>(List.of("--nodes", nodes, "--warmup", "0s", "--duration", "1s",
          "--progress", "0"));
      load.addAll(benchOptions);
      say("loading: scripts/bench.sh %s", String.join(" ", load));
      run(checkout, load);

      List<String> measure = new ArrayList<>(List.of("--nodes", nodes, "--no-load",
          "--warmup", warmup + "s", "--duration", duration + "s", "--progress", "5s"));
      measure.addAll(benchOptions);
      int killSecond = killAt;
      int restartSecond = restartAt;
      ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor();
      try {
        if (!baseline) {
          // The generator's JVM takes about a second to start; the times are from its launch.
          faults.schedule(() -> {
            say("t=%ds of the measured window: kill -9 %s", killSecond, victim);
            cluster.kill(victim);
          }, warmup + killAt, TimeUnit.SECONDS);
          faults.schedule(() -> {
            say("t=%ds of the measured window: restart %s", restartSecond, victim);
            cluster.restart(victim);
            say("%s serving again", victim);
          }, warmup + restartAt, TimeUnit.SECONDS);
        }
        say("measuring%s: scripts/bench.sh %s", baseline ? " (baseline, no fault)" : "",
            String.join(" ", measure));
        run(checkout, measure);
      } finally {
        faults.shutdown();
        faults.awaitTermination(2, TimeUnit.MINUTES);
      }
      if (!baseline) {
        HintQueueChecker hints = new HintQueueChecker(cluster);
        say("hints for %s left at the end: %d", victim, hints.count(cluster.ids(), victim));
      }
    }
  }

  private static void run(Path checkout, List<String> benchArgs) {
    List<String> command = new ArrayList<>(List.of("bash", checkout.resolve("scripts/bench.sh").toString()));
    command.addAll(benchArgs);
    try {
      Process p = new ProcessBuilder(command).inheritIO().start();
      int status = p.waitFor();
      if (status != 0) {
        throw new IllegalStateException("bench.sh exited with status " + status);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void say(String format, Object... args) {
    byte[] line = (String.format(Locale.ROOT, format, args) + "\n").getBytes(StandardCharsets.UTF_8);
    System.out.write(line, 0, line.length);
    System.out.flush();
  }
}

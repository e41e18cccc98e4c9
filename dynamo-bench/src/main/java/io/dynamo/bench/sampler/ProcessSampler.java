package io.dynamo.bench.sampler;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Samples the memory of local JVMs (the nodes of a local cluster) while a load runs: one line per
 * process per interval on stdout with heap used, heap used after the last GC, direct buffer memory
 * and resident set size. One JVM samples every node over JMX (attach API), so a run costs no JVM
 * start per sample, as forking {@code jcmd} or {@code jstat} each time would on a small machine.
 *
 * <pre>
 *   java -cp dynamo-bench.jar io.dynamo.bench.sampler.ProcessSampler --interval 1s n1=1234 n2=1240
 * </pre>
 *
 * <p>Line format (space-separated, "-" where a figure could not be read in time):
 * {@code epoch_ms name pid state heap_used heap_after_gc heap_committed heap_max direct_used
 * direct_buffers rss}, sizes in bytes; state is running, paused or gone (from /proc). Runs until
 * killed or for {@code --duration}.
 */
@Command(name = "process-sampler", mixinStandardHelpOptions = true,
    description = "Samples heap, direct memory and RSS of local JVMs, one line per process per interval.")
public final class ProcessSampler implements Callable<Integer> {
  @Option(names = "--interval", defaultValue = "1000",
      description = "Milliseconds between samples (default: ${DEFAULT-VALUE}).")
  long intervalMillis;

  @Option(names = "--duration", defaultValue = "0",
      description = "Stop after this many seconds; 0 = until killed (default: ${DEFAULT-VALUE}).")
  long durationSeconds;

  @Parameters(paramLabel = "NAME=PID", arity = "1..*", description = "The processes, e.g. n1=1234.")
  Map<String, Long> processes;

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(new CommandLine(new ProcessSampler()).execute(args));
  }

  @Override
  public Integer call() {
    if (intervalMillis < 10 || durationSeconds < 0) {
      System.err.println("error: --interval must be at least 10 ms and --duration not negative");
      return 2;
    }
    Duration interval = Duration.ofMillis(intervalMillis);
    List<JvmProbe> probes = new ArrayList<>();
    processes.forEach((name, pid) -> probes.add(new JvmProbe(name, pid, interval)));
    long end = durationSeconds == 0 ? Long.MAX_VALUE : System.nanoTime() + durationSeconds * 1_000_000_000L;
    long next = System.nanoTime();
    try {
      while (end == Long.MAX_VALUE || System.nanoTime() - end < 0) {
        long now = System.currentTimeMillis();
        for (JvmProbe p : probes) {
          out.println(p.sample().line(now));
        }
        next += interval.toNanos();
        long wait;
        while ((wait = next - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    } finally {
      probes.forEach(JvmProbe::close);
    }
    return 0;
  }
}

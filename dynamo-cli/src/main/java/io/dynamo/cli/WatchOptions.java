package io.dynamo.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --watch [INTERVAL]} and {@code --count N}, mixed into the commands that only show state
 * (never into one that changes something: repeating it would repeat the change).
 */
final class WatchOptions {
  @Option(
      names = "--watch",
      arity = "0..1",
      paramLabel = "INTERVAL",
      fallbackValue = "2s",
      converter = DurationConverter.class,
      description =
          "Redraw every INTERVAL (default 2s) until Ctrl-C; with --json, print one JSON document"
              + " per INTERVAL, one per line.")
  Duration interval;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "With --watch: stop after N times.")
  Long count;

  /** Whether --watch was given. */
  boolean watching() {
    return interval != null;
  }

  /**
   * Draws {@code frame} once, or with --watch over and over; answers the exit status. Without
   * --watch the frame's errors are thrown, as any command's.
   */
  int run(CommandSpec spec, boolean json, Watch.Frame frame) {
    PrintWriter out = spec.commandLine().getOut();
    if (count != null && (count < 1 || interval == null)) {
      throw new ParameterException(
          spec.commandLine(), "--count takes a positive number, and only with --watch");
    }
    if (interval == null) {
      frame.draw(out);
      return ExitCode.OK;
    }
    Watch watch =
        new Watch(
            spec.qualifiedName(), interval, count == null ? 0 : count, Clock.systemDefaultZone(),
            d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000));
    return watch.run(out, spec.commandLine().getErr(), json, frame);
  }
}

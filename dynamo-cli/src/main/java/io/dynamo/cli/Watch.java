package io.dynamo.cli;

import io.dynamo.client.DynamoException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/**
 * Shows a view over and over ({@code --watch}): as text, each frame is drawn on a cleared screen
 * (ANSI) under a header line; as JSON, each frame is one document on its own line
 * (newline-delimited JSON), which a script reads as a stream. Frames start every interval; a frame
 * slower than that is followed by the next one at once, without a burst to catch up. It ends on
 * Ctrl-C (the JVM exits), after {@code maxFrames}, or when a frame reports nothing left to watch.
 *
 * <p>A frame that fails with the client's error is reported like a one-shot command's error, and
 * the watch goes on: a node restarting is something one watches, not a reason to stop.
 */
final class Watch {
  /** Moves the cursor home and clears the screen. */
  static final String CLEAR_SCREEN = "\u001b[H\u001b[2J";

  /** One drawing of the view. */
  interface Frame {
    /** Prints the view to {@code out}; answers false when there is nothing left to watch. */
    boolean draw(PrintWriter out);
  }

  /** Waits between frames; tests pass one that advances a fake clock instead. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final String title;
  private final Duration interval;
  private final long maxFrames;
  private final Clock clock;
  private final Sleeper sleeper;

  /**
   * @param title what is watched, for the header line (the command, e.g. "dynamo status")
   * @param maxFrames stop after this many frames; 0: until interrupted
   */
  Watch(String title, Duration interval, long maxFrames, Clock clock, Sleeper sleeper) {
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    this.title = title;
    this.interval = interval;
    this.maxFrames = maxFrames;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** Runs frames until done; returns the exit status of the last frame. */
  int run(PrintWriter out, PrintWriter err, boolean json, Frame frame) {
    Instant due = clock.instant();
    for (long n = 1; ; n++) {
      Instant started = clock.instant();
      // Text is drawn into a buffer first, so the screen is cleared and redrawn in one go.
      StringWriter buffer = new StringWriter();
      PrintWriter target = json ? out : new PrintWriter(buffer);
      boolean more = true;
      Failure failed = null;
      try {
        more = frame.draw(target);
      } catch (DynamoException e) {
        failed = Failure.of(e);
      }
      target.flush();
      if (!json) {
        out.print(CLEAR_SCREEN);
        out.print(header(started));
        out.print(buffer);
      }
      out.flush();
      int status = failed == null ? ExitCode.OK : failed.print(err, json);
      if (!more || n == maxFrames) {
        return status;
      }
      Instant now = clock.instant();
      due = due.plus(interval);
      if (due.isBefore(now)) {
        due = now;
      }
      try {
        sleeper.sleep(Duration.between(now, due));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return status;
      }
    }
  }

  private String header(Instant at) {
    LocalTime time = LocalTime.ofInstant(at, clock.getZone()).truncatedTo(ChronoUnit.SECONDS);
    return String.format(
        "%s, every %s (Ctrl-C to stop)  %s%n%n", title, ClientCommand.age(interval), time);
  }
}

package io.dynamo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.ConnectionException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The --watch loop on a fake clock: what it prints, when it waits, when it stops. */
class WatchTest {
  private static final Duration TWO_SECONDS = Duration.ofSeconds(2);

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-30T22:41:07Z"));
  private final List<Duration> sleeps = new ArrayList<>();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void textClearsTheScreenAndRedrawsUnderAHeaderEachInterval() {
    int[] frames = {0};
    int exit =
        watch(3).run(print(out), print(err), false, o -> {
          o.println("frame " + ++frames[0]);
          return true;
        });

    assertThat(exit).isZero();
    String header = "dynamo status, every 2.0s (Ctrl-C to stop)  ";
    assertThat(out.toString())
        .isEqualTo(
            Watch.CLEAR_SCREEN + header + "22:41:07\n\nframe 1\n"
                + Watch.CLEAR_SCREEN + header + "22:41:09\n\nframe 2\n"
                + Watch.CLEAR_SCREEN + header + "22:41:11\n\nframe 3\n");
    assertThat(sleeps).containsExactly(TWO_SECONDS, TWO_SECONDS);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void jsonIsOneDocumentPerLineWithoutClearing() {
    watch(2).run(print(out), print(err), true, o -> {
      o.println("{\"n\":1}");
      return true;
    });

    assertThat(out.toString()).isEqualTo("{\"n\":1}\n{\"n\":1}\n");
  }

  @Test
  void framesStartEveryIntervalAndASlowFrameIsFollowedAtOnceWithoutABurst() {
    // Frames take 0.5s, then 3s (longer than the interval), then 0.5s again.
    List<Duration> durations =
        List.of(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMillis(500),
            Duration.ofMillis(500));
    int[] frame = {0};
    watch(4).run(print(out), print(err), true, o -> {
      clock.advance(durations.get(frame[0]++));
      return true;
    });

    assertThat(sleeps)
        .containsExactly(Duration.ofMillis(1500), Duration.ZERO, Duration.ofMillis(1500));
  }

  @Test
  void stopsWhenTheFrameHasNothingLeftToWatch() {
    int[] frames = {0};
    int exit = watch(0).run(print(out), print(err), true, o -> ++frames[0] < 3);

    assertThat(exit).isZero();
    assertThat(frames[0]).isEqualTo(3);
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void aFailedFrameIsReportedAndTheWatchGoesOn() {
    int[] frames = {0};
    int exit =
        watch(3).run(print(out), print(err), false, o -> {
          if (++frames[0] == 2) {
            throw new ConnectionException("cannot connect to /127.0.0.1:7100", null);
          }
          o.println("frame " + frames[0]);
          return true;
        });

    assertThat(frames[0]).isEqualTo(3);
    assertThat(exit).isZero();
    assertThat(err.toString())
        .isEqualTo("dynamo: CONNECTION: cannot connect to /127.0.0.1:7100\n");
    assertThat(out.toString()).contains("frame 1\n", "frame 3\n").doesNotContain("frame 2");

    // The exit status is the last frame's: a watch that ends on a failure says so.
    int failedLast =
        watch(1).run(print(out), print(err), true, o -> {
          throw new ConnectionException("refused", null);
        });
    assertThat(failedLast).isEqualTo(ExitCode.CONNECTION);
  }

  @Test
  void anInterruptWhileWaitingEndsTheWatch() {
    int[] frames = {0};
    Watch watch =
        new Watch("dynamo status", TWO_SECONDS, 0, clock, d -> {
          throw new InterruptedException();
        });
    try {
      int exit = watch.run(print(out), print(err), true, o -> ++frames[0] > 0);
      assertThat(exit).isZero();
      assertThat(frames[0]).isEqualTo(1);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  private Watch watch(long maxFrames) {
    return new Watch("dynamo status", TWO_SECONDS, maxFrames, clock, d -> {
      sleeps.add(d);
      clock.advance(d);
    });
  }

  private static PrintWriter print(StringWriter w) {
    return new PrintWriter(w, true);
  }

  /** A clock that moves only when told to. */
  private static final class FakeClock extends Clock {
    private Instant now;

    FakeClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}

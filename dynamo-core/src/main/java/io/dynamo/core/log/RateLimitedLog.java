package io.dynamo.core.log;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Warnings caused by remote input, at most {@code burst} per kind per interval. A sender can make
 * a node refuse its input as fast as it can send it; it must not be able to make the node write a
 * log line for each (a flood of 200,000 bad frames once wrote 46 MB of log in 11 seconds). What is
 * dropped is counted, and the next warning of that kind that is written says how many similar ones
 * were suppressed, so an operator still sees that the input keeps coming.
 *
 * <p>Kinds are constants in the code (never text from the network), so the table stays small.
 * Thread-safe; the time source is injected so that the protocol core stays free of wall clocks.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final LongSupplier millis;
  private final long intervalMillis;
  private final int burst;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  /**
   * @param millis a monotonic millisecond clock
   * @param intervalMillis length of one window
   * @param burst warnings of one kind written per window
   */
  public RateLimitedLog(Logger log, LongSupplier millis, long intervalMillis, int burst) {
    if (intervalMillis <= 0 || burst <= 0) {
      throw new IllegalArgumentException("interval and burst must be positive");
    }
    this.log = log;
    this.millis = millis;
    this.intervalMillis = intervalMillis;
    this.burst = burst;
  }

  /** Ten warnings of a kind per ten seconds, the default for input from the network. */
  public static RateLimitedLog of(Logger log, LongSupplier millis) {
    return new RateLimitedLog(log, millis, 10_000, 10);
  }

  /**
   * Logs a warning of {@code kind} unless this window's quota for it is spent. Arguments that came
   * from the network must already be escaped ({@link Untrusted#escape}). Returns whether it was
   * written.
   */
  public boolean warn(String kind, String format, Object... args) {
    if (!log.isWarnEnabled()) {
      return false;
    }
    long suppressed = windows.computeIfAbsent(kind, k -> new Window()).admit(millis.getAsLong());
    if (suppressed < 0) {
      return false;
    }
    if (suppressed > 0) {
      log.warn("suppressed {} similar warnings ({}) in the last {} ms", suppressed, kind, intervalMillis);
    }
    log.warn(format, args);
    return true;
  }

  /** How many warnings of {@code kind} were suppressed and not yet reported. */
  public long pendingSuppressed(String kind) {
    Window w = windows.get(kind);
    return w == null ? 0 : w.suppressed();
  }

  private final class Window {
    private long start = Long.MIN_VALUE;
    private int written;
    private long suppressed;

    /**
     * Returns -1 when the warning is to be dropped, else the number dropped since the last one
     * written (to be reported now).
     */
    synchronized long admit(long now) {
      if (start == Long.MIN_VALUE || now - start >= intervalMillis) {
        start = now;
        written = 0;
      }
      if (written >= burst) {
        suppressed++;
        return -1;
      }
      written++;
      long report = suppressed;
      suppressed = 0;
      return report;
    }

    synchronized long suppressed() {
      return suppressed;
    }
  }
}

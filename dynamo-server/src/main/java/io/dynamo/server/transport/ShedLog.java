package io.dynamo.server.transport;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused requests without letting a flood of them flood the log: at most one line per
 * interval, counting what was refused since the last line, by reason.
 */
public final class ShedLog {
  private static final Logger log = LoggerFactory.getLogger(ShedLog.class);

  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final Map<Admission.Refusal, Long> since = new EnumMap<>(Admission.Refusal.class);
  private long nextLineNanos;

  public ShedLog(LongSupplier nanoTime, long intervalNanos) {
    this.nanoTime = nanoTime;
    this.intervalNanos = intervalNanos;
    this.nextLineNanos = nanoTime.getAsLong();
  }

  synchronized void shed(Admission.Refusal refusal) {
    since.merge(refusal, 1L, Long::sum);
    long now = nanoTime.getAsLong();
    if (now - nextLineNanos >= 0) {
      log.warn("overloaded: refused {} since the last such line", since);
      since.clear();
      nextLineNanos = now + intervalNanos;
    }
  }
}

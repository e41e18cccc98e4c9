package io.dynamo.server.transport;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused requests without letting a flood of them flood the log: at most one line per
 * interval, counting what was refused since the last line, by reason. Lock-free on the refusal
 * path, which every I/O thread takes under a flood; only the thread that wins the interval writes.
 */
public final class ShedLog {
  private static final Logger log = LoggerFactory.getLogger(ShedLog.class);

  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final LongAdder[] since = new LongAdder[Admission.Refusal.values().length];
  private final AtomicLong nextLineNanos;

  public ShedLog(LongSupplier nanoTime, long intervalNanos) {
    this.nanoTime = nanoTime;
    this.intervalNanos = intervalNanos;
    this.nextLineNanos = new AtomicLong(nanoTime.getAsLong());
    for (int i = 0; i < since.length; i++) {
      since[i] = new LongAdder();
    }
  }

  void shed(Admission.Refusal refusal) {
    since[refusal.ordinal()].increment();
    long now = nanoTime.getAsLong();
    long next = nextLineNanos.get();
    if (now - next >= 0 && nextLineNanos.compareAndSet(next, now + intervalNanos)) {
      Map<Admission.Refusal, Long> counts = new EnumMap<>(Admission.Refusal.class);
      for (Admission.Refusal r : Admission.Refusal.values()) {
        long n = since[r.ordinal()].sumThenReset();
        if (n > 0) {
          counts.put(r, n);
        }
      }
      log.warn("overloaded: refused {} since the last such line", counts);
    }
  }
}

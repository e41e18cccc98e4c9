package io.dynamo.server;

import io.dynamo.core.runtime.Clock;

/** The machine's clocks: wall time for versions, {@code nanoTime} for intervals. */
final class SystemClock implements Clock {
  @Override
  public long currentTimeMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long monotonicMillis() {
    return System.nanoTime() / 1_000_000;
  }
}

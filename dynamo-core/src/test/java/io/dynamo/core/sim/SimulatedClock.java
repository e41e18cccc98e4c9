package io.dynamo.core.sim;

import io.dynamo.core.runtime.Clock;

/** A node's wall clock: the simulation's time plus a fixed epoch and the node's own skew. */
public final class SimulatedClock implements Clock {
  /** 2026-01-01T00:00:00Z, so version timestamps look like real ones. */
  public static final long EPOCH_MILLIS = 1_767_225_600_000L;

  private final SimulatedEventQueue queue;
  private final long skewMillis;

  public SimulatedClock(SimulatedEventQueue queue, long skewMillis) {
    this.queue = queue;
    this.skewMillis = skewMillis;
  }

  @Override
  public long currentTimeMillis() {
    return EPOCH_MILLIS + skewMillis + queue.now();
  }
}

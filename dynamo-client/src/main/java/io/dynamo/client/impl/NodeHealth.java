package io.dynamo.client.impl;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Whether one node recently failed to answer, so requests avoid it for a short time instead of
 * each waiting out its attempt timeout there (a paused node keeps its sockets open and accepts
 * requests it never answers).
 *
 * <p>When the penalty expires, one request probes the node while the others keep avoiding it: were
 * they all let back at once, every closed-loop caller would soon be waiting on the same silent node
 * again. The probe's outcome clears the node or penalizes it anew.
 */
public final class NodeHealth {
  private final AtomicLong until = new AtomicLong();
  private final AtomicInteger probing = new AtomicInteger();
  private final long penaltyNanos;
  private final LongSupplier nanoTime;

  public NodeHealth(long penaltyNanos, LongSupplier nanoTime) {
    this.penaltyNanos = penaltyNanos;
    this.nanoTime = nanoTime;
  }

  /** The node failed to answer: avoid it for the penalty time. */
  public void penalize() {
    // 0 means "not penalized", so a computed deadline of exactly 0 is nudged.
    long t = nanoTime.getAsLong() + penaltyNanos;
    until.set(t == 0 ? 1 : t);
    probing.set(0);
  }

  /** The node answered: it is good again at once. */
  public void clear() {
    if (until.get() != 0) {
      until.set(0);
      probing.set(0);
    }
  }

  /**
   * The probe taken by {@link #tryTake} ended without telling whether the node is good (nothing was
   * sent): another request may probe it.
   */
  public void release() {
    probing.set(0);
  }

  /** Whether requests avoid the node now (penalized, or its probe is in flight). */
  public boolean isPenalized() {
    long t = until.get();
    return t != 0 && (t - nanoTime.getAsLong() > 0 || probing.get() != 0);
  }

  /**
   * Whether a request may go to the node now: it is not penalized, or its penalty has expired and
   * the caller becomes its one probe.
   */
  boolean tryTake() {
    long t = until.get();
    return t == 0 || (t - nanoTime.getAsLong() <= 0 && probing.compareAndSet(0, 1));
  }
}

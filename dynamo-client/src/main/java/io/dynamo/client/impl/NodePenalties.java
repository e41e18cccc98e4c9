package io.dynamo.client.impl;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Which of the client's configured nodes recently failed to answer, so requests avoid them for a
 * short time instead of each waiting out its attempt timeout there (a paused node keeps its
 * sockets open and accepts requests it never answers). One slot per configured node, so the list
 * is bounded by the client's configuration.
 *
 * <p>When a penalty expires, one request probes the node while the others keep avoiding it: were
 * they all let back at once, every closed-loop caller would soon be waiting on the same silent node
 * again. The probe's outcome clears the node or penalizes it anew.
 */
public final class NodePenalties {
  private final AtomicLongArray until;
  private final AtomicIntegerArray probing;
  private final long penaltyNanos;
  private final LongSupplier nanoTime;

  public NodePenalties(int nodes, long penaltyNanos, LongSupplier nanoTime) {
    this.until = new AtomicLongArray(nodes);
    this.probing = new AtomicIntegerArray(nodes);
    this.penaltyNanos = penaltyNanos;
    this.nanoTime = nanoTime;
  }

  /** Node {@code index} failed to answer: avoid it for the penalty time. */
  public void penalize(int index) {
    // 0 means "not penalized", so a computed deadline of exactly 0 is nudged.
    long t = nanoTime.getAsLong() + penaltyNanos;
    until.set(index, t == 0 ? 1 : t);
    probing.set(index, 0);
  }

  /** Node {@code index} answered: it is good again at once. */
  public void clear(int index) {
    until.set(index, 0);
    probing.set(index, 0);
  }

  /** Whether requests avoid node {@code index} now (penalized, or its probe is in flight). */
  public boolean isPenalized(int index) {
    long t = until.get(index);
    return t != 0 && (t - nanoTime.getAsLong() > 0 || probing.get(index) != 0);
  }

  /**
   * The first node from {@code start} (wrapping around) that is not penalized and not in {@code
   * tried}, the caller becoming the probe of a node whose penalty just expired; a penalized one
   * when every untried node is; -1 when every node was tried.
   */
  public int choose(int start, boolean[] tried) {
    int n = until.length();
    int fallback = -1;
    for (int i = 0; i < n; i++) {
      int index = Math.floorMod(start + i, n);
      if (tried[index]) {
        continue;
      }
      long t = until.get(index);
      if (t == 0) {
        return index;
      }
      if (t - nanoTime.getAsLong() <= 0 && probing.compareAndSet(index, 0, 1)) {
        return index;
      }
      if (fallback < 0) {
        fallback = index;
      }
    }
    return fallback;
  }
}

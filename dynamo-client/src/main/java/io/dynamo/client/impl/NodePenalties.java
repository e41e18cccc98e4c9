package io.dynamo.client.impl;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Which of the client's configured nodes recently failed to answer, so requests avoid them for a
 * short time instead of each waiting out its timeout there (a paused node keeps its sockets open
 * and accepts requests it never answers). One slot per configured node, so the list is bounded by
 * the client's configuration; a penalty simply expires, after which one request probes the node
 * again.
 */
public final class NodePenalties {
  private final AtomicLongArray until;
  private final long penaltyNanos;
  private final LongSupplier nanoTime;

  public NodePenalties(int nodes, long penaltyNanos, LongSupplier nanoTime) {
    this.until = new AtomicLongArray(nodes);
    this.penaltyNanos = penaltyNanos;
    this.nanoTime = nanoTime;
  }

  /** Node {@code index} failed to answer: avoid it for the penalty time. */
  public void penalize(int index) {
    until.set(index, nanoTime.getAsLong() + penaltyNanos);
  }

  /** Node {@code index} answered: it is good again at once. */
  public void clear(int index) {
    until.set(index, 0);
  }

  public boolean isPenalized(int index) {
    long t = until.get(index);
    return t != 0 && t - nanoTime.getAsLong() > 0;
  }

  /**
   * The first node from {@code start} (wrapping around) that is not penalized and not in {@code
   * tried}; a penalized one when every untried node is; -1 when every node was tried.
   */
  public int choose(int start, boolean[] tried) {
    int n = until.length();
    int fallback = -1;
    for (int i = 0; i < n; i++) {
      int index = Math.floorMod(start + i, n);
      if (tried[index]) {
        continue;
      }
      if (!isPenalized(index)) {
        return index;
      }
      if (fallback < 0) {
        fallback = index;
      }
    }
    return fallback;
  }
}

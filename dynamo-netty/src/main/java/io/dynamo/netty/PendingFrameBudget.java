package io.dynamo.netty;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes a group of connections may hold in partially received frames, together. One slow sender
 * holds at most a frame; many of them could hold a frame each and exhaust the node's direct memory
 * (64 connections each sending 6 MiB of a 15 MiB frame once did). Each connection reserves what its
 * receive buffer holds while a frame is incomplete, and a connection that would pass the budget is
 * closed instead of being allowed to buffer more. Thread-safe: shared by every event loop.
 */
public final class PendingFrameBudget {
  private final String name;
  private final long limit;
  private final AtomicLong held = new AtomicLong();

  /**
   * @param name what the budget is for, in error messages ("client connections")
   * @param limit bytes all connections together may hold in incomplete frames
   */
  public PendingFrameBudget(String name, long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("budget must be positive: " + limit);
    }
    this.name = name;
    this.limit = limit;
  }

  /** A budget that never refuses, for connections whose peer is trusted (the client library). */
  public static PendingFrameBudget unlimited(String name) {
    return new PendingFrameBudget(name, Long.MAX_VALUE);
  }

  /** Takes {@code bytes} more if they fit; returns whether they did. */
  public boolean tryReserve(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative reservation: " + bytes);
    }
    while (true) {
      long now = held.get();
      if (bytes > limit - now) {
        return false;
      }
      if (held.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Gives back {@code bytes} taken earlier. */
  public void release(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative release: " + bytes);
    }
    held.addAndGet(-bytes);
  }

  public String name() {
    return name;
  }

  public long limit() {
    return limit;
  }

  /** Bytes reserved now, for metrics and tests. */
  public long held() {
    return held.get();
  }
}

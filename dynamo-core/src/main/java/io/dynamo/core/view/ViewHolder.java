package io.dynamo.core.view;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The current {@link ClusterView} of one node, shared by all its protocol shards. Readers take
 * {@link #current()} per request and never keep the ring it holds; {@link #swap} replaces the
 * view atomically, so every shard sees the same one from then on.
 */
public final class ViewHolder {
  private final AtomicReference<ClusterView> current;

  public ViewHolder(ClusterView initial) {
    this.current = new AtomicReference<>(initial);
  }

  public ClusterView current() {
    return current.get();
  }

  /**
   * Makes {@code next} current if it is newer than the current view; returns whether it did. A
   * view no newer than the current one (a late or repeated delivery) changes nothing.
   */
  public boolean swap(ClusterView next) {
    while (true) {
      ClusterView now = current.get();
      if (next.version() <= now.version()) {
        return false;
      }
      if (current.compareAndSet(now, next)) {
        return true;
      }
    }
  }
}

package io.dynamo.core.runtime;

/**
 * Runs tasks on the node's protocol thread: every call into the protocol, timers included, happens
 * on that one thread, so protocol state needs no locks. Netty drives it with an event loop, the
 * simulator with its event queue.
 */
public interface Scheduler {
  /** Runs {@code task} on the protocol thread after {@code delayMillis} (0: as soon as possible). */
  Cancellable schedule(long delayMillis, Runnable task);

  /** A scheduled task that may still be called off. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}

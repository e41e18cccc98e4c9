package io.dynamo.core.sim;

import io.dynamo.core.runtime.Scheduler;
import java.util.function.BooleanSupplier;

/**
 * A node's protocol thread: tasks go on the shared event queue and run only while the node
 * incarnation that scheduled them is alive, so a crash silently drops its timers.
 */
final class SimulatedScheduler implements Scheduler {
  private final SimulatedEventQueue queue;
  private final String label;
  private final BooleanSupplier alive;

  SimulatedScheduler(SimulatedEventQueue queue, String nodeName, BooleanSupplier alive) {
    this.queue = queue;
    this.label = nodeName + " task";
    this.alive = alive;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    SimulatedEventQueue.Handle handle =
        queue.schedule(
            delayMillis,
            label,
            () -> {
              if (alive.getAsBoolean()) {
                task.run();
              }
            });
    return handle::cancel;
  }
}

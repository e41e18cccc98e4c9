package io.dynamo.core.sim;

import io.dynamo.core.runtime.Scheduler;

/**
 * A node's protocol thread: tasks go on the shared event queue and run through the gate of the
 * node incarnation that scheduled them, so a crash silently drops its timers and a pause holds
 * them until it ends.
 */
final class SimulatedScheduler implements Scheduler {
  private final SimulatedEventQueue queue;
  private final String label;
  private final SimulatedGate gate;

  SimulatedScheduler(SimulatedEventQueue queue, String nodeName, SimulatedGate gate) {
    this.queue = queue;
    this.label = nodeName + " task";
    this.gate = gate;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    SimulatedEventQueue.Handle handle =
        queue.schedule(delayMillis, label, () -> gate.run(task));
    return handle::cancel;
  }
}

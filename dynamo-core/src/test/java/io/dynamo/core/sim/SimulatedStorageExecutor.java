package io.dynamo.core.sim;

import io.dynamo.core.runtime.StorageExecutor;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * A node's storage threads: each piece of work runs after a random delay (so storage calls of one
 * node may finish out of order, as on a thread pool), and its outcome is handed back on the node's
 * protocol thread as a separate event. Work scheduled by a node incarnation that has since crashed
 * never runs; work due while the node is paused waits for the pause to end.
 */
final class SimulatedStorageExecutor implements StorageExecutor {
  private final SimulatedEventQueue queue;
  private final Random random;
  private final long minDelayMillis;
  private final long maxDelayMillis;
  private final String workLabel;
  private final String doneLabel;
  private final SimulatedGate gate;

  SimulatedStorageExecutor(
      SimulatedEventQueue queue,
      Random random,
      long minDelayMillis,
      long maxDelayMillis,
      String nodeName,
      SimulatedGate gate) {
    this.queue = queue;
    this.random = random;
    this.minDelayMillis = minDelayMillis;
    this.maxDelayMillis = maxDelayMillis;
    this.workLabel = nodeName + " storage";
    this.doneLabel = nodeName + " storage-done";
    this.gate = gate;
  }

  @Override
  public <T> void execute(Callable<T> work, BiConsumer<T, Throwable> onDone) {
    long delay = random.nextLong(minDelayMillis, maxDelayMillis + 1);
    queue.schedule(
        delay,
        workLabel,
        () -> gate.run(() -> {
          T result = null;
          Throwable failure = null;
          try {
            result = work.call();
          } catch (Exception e) {
            failure = e;
          }
          T r = result;
          Throwable f = failure;
          queue.schedule(0, doneLabel, () -> gate.run(() -> onDone.accept(r, f)));
        }));
  }
}

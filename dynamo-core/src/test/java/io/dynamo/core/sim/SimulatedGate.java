package io.dynamo.core.sim;

/**
 * Where a node incarnation's work passes: it runs now, waits while the node is paused, or is
 * dropped once the incarnation has crashed.
 */
@FunctionalInterface
interface SimulatedGate {
  void run(Runnable task);
}

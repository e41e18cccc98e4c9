package io.dynamo.core.runtime;

/** Time, as the node sees it. The simulator drives its own. */
@FunctionalInterface
public interface Clock {
  /** Wall-clock time, for version timestamps. */
  long currentTimeMillis();

  /**
   * Time that never goes backwards, for measuring intervals (failure detection). Defaults to the
   * wall clock for drivers whose clock cannot jump, like the simulator's.
   */
  default long monotonicMillis() {
    return currentTimeMillis();
  }
}

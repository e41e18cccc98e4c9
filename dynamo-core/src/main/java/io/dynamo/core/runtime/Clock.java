package io.dynamo.core.runtime;

/** Wall-clock time, for version timestamps. The simulator drives its own. */
@FunctionalInterface
public interface Clock {
  long currentTimeMillis();
}

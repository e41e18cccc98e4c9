package io.dynamo.core.runtime;

import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * Runs blocking storage work away from the protocol thread and hands the outcome back on it, so a
 * slow disk never stalls message handling.
 */
public interface StorageExecutor {
  /**
   * Runs {@code work}, then calls {@code onDone} on the protocol thread with its result or the
   * exception it threw (exactly one of the two is non-null, unless the result itself is null).
   */
  <T> void execute(Callable<T> work, BiConsumer<T, Throwable> onDone);
}

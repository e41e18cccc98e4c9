package io.dynamo.core.storage;

/**
 * Sees every change of a key's stored record that {@link LocalReplica} makes, around the storage
 * write itself (anti-entropy's hash trees are kept current this way).
 */
@FunctionalInterface
public interface DataWriteObserver {
  /**
   * Runs {@code storageWrite}, which changes {@code dataKey}'s record from {@code before} to {@code
   * after} (null when absent). Called with the key's lock held.
   */
  void write(byte[] dataKey, byte[] before, byte[] after, Runnable storageWrite);
}

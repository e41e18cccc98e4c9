package io.dynamo.core.storage;

/**
 * A consistent, point-in-time view of a storage engine: scans see every write that returned before
 * {@link StorageEngine#snapshot()} and none that started after it. Holds engine resources (RocksDB
 * pins the files the view needs) until {@link #close() closed}: close it as soon as it is done with,
 * exactly once. Thread-safe; blocking like the engine.
 */
public interface StorageSnapshot extends AutoCloseable {
  /** As {@link StorageEngine#scan}, over this view. */
  void scan(Keyspace space, byte[] fromInclusive, byte[] toExclusive, StorageEngine.Visitor visitor);

  /** Releases the view; further scans throw {@link StorageException}. Idempotent. */
  @Override
  void close();
}

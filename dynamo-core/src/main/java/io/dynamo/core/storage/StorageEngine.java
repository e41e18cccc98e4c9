package io.dynamo.core.storage;

/**
 * A node's local key-value storage: point reads, atomic batches and ordered scans over a few key
 * spaces. Implementations are thread-safe; callers serialize read-modify-write of one key
 * themselves ({@link LocalReplica} does). Methods may block on disk: never call them on the
 * protocol thread.
 */
public interface StorageEngine extends AutoCloseable {
  /** The value under {@code key}, or null. */
  byte[] get(Keyspace space, byte[] key);

  /**
   * Applies every op of the batch, or none. Durable as configured when this returns, and durable
   * against power loss if the batch {@link WriteBatch#syncRequired() requires sync} (which also
   * makes every batch written before it durable, as an fsync of a write-ahead log does). Must not
   * serialize callers beyond what the engine needs: concurrent writes of different keys proceed
   * in parallel, and an engine that syncs may sync several callers' batches at once.
   */
  void write(WriteBatch batch);

  /** Visits keys in [from, to) in unsigned byte order until the visitor returns false. */
  void scan(Keyspace space, byte[] fromInclusive, byte[] toExclusive, Visitor visitor);

  @Override
  void close();

  /** Receives scanned entries. */
  @FunctionalInterface
  interface Visitor {
    boolean visit(byte[] key, byte[] value);
  }
}

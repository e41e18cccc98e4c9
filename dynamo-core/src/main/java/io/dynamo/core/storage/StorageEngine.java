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

  /**
   * A consistent point-in-time view for long scans (streaming a partition) while writes go on.
   * Close it when done: it holds engine resources.
   *
   * @throws UnsupportedOperationException if the engine cannot take one
   */
  default StorageSnapshot snapshot() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " takes no snapshots");
  }

  /**
   * Deletes every key in [from, to) of one key space (an old owner's copy of a partition). Not
   * atomic with respect to concurrent writes into the range: a write that races it may survive.
   * The default deletes by scanning, in batches; engines with a native range delete override it.
   */
  default void deleteRange(Keyspace space, byte[] fromInclusive, byte[] toExclusive) {
    final int batchKeys = 1024;
    java.util.List<byte[]> keys = new java.util.ArrayList<>(batchKeys);
    while (true) {
      keys.clear();
      scan(space, fromInclusive, toExclusive, (k, v) -> {
        keys.add(k);
        return keys.size() < batchKeys;
      });
      if (keys.isEmpty()) {
        return;
      }
      WriteBatch batch = new WriteBatch();
      for (byte[] k : keys) {
        batch.delete(space, k);
      }
      write(batch);
    }
  }

  /**
   * About how many bytes (keys and values) [from, to) of a key space holds, for progress estimates;
   * engines may count compressed bytes on disk or include deleted data not yet compacted. The
   * default counts exactly by scanning.
   */
  default long approximateBytes(Keyspace space, byte[] fromInclusive, byte[] toExclusive) {
    long[] total = {0};
    scan(space, fromInclusive, toExclusive, (k, v) -> {
      total[0] += k.length + v.length;
      return true;
    });
    return total[0];
  }

  @Override
  void close();

  /** Receives scanned entries. */
  @FunctionalInterface
  interface Visitor {
    boolean visit(byte[] key, byte[] value);
  }
}

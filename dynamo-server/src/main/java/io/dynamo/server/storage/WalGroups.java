package io.dynamo.server.storage;

/**
 * Lets the writes a thread makes share one write-ahead-log write ({@link RocksDbStorageEngine}):
 * the protocol shards group the storage work of one turn of their event loop with it.
 */
public interface WalGroups {
  /** From now on this thread's writes leave their log records buffered. Groups do not nest. */
  void openGroup();

  /** Ends this thread's group: true if a write in it waits for {@link #flushWal}. */
  boolean closeGroup();

  /** Writes every buffered log record (any thread's); the writes then survive a process crash. */
  void flushWal();
}

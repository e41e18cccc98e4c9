package io.dynamo.core.storage;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A storage engine in memory, for the simulator, tests and nodes that need no durability. Keys are
 * ordered as unsigned bytes, like RocksDB's default comparator.
 */
public final class InMemoryStorageEngine implements StorageEngine {
  private final Map<Keyspace, ConcurrentSkipListMap<byte[], byte[]>> spaces =
      new EnumMap<>(Keyspace.class);

  public InMemoryStorageEngine() {
    for (Keyspace s : Keyspace.values()) {
      spaces.put(s, new ConcurrentSkipListMap<>(Arrays::compareUnsigned));
    }
  }

  @Override
  public byte[] get(Keyspace space, byte[] key) {
    byte[] v = spaces.get(space).get(key);
    return v == null ? null : v.clone();
  }

  @Override
  public synchronized void write(WriteBatch batch) {
    for (WriteBatch.Op op : batch.ops()) {
      ConcurrentSkipListMap<byte[], byte[]> map = spaces.get(op.space());
      if (op.value() == null) {
        map.remove(op.key());
      } else {
        map.put(op.key().clone(), op.value().clone());
      }
    }
  }

  @Override
  public void scan(Keyspace space, byte[] fromInclusive, byte[] toExclusive, Visitor visitor) {
    NavigableMap<byte[], byte[]> range =
        spaces.get(space).subMap(fromInclusive, true, toExclusive, false);
    for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
      if (!visitor.visit(e.getKey().clone(), e.getValue().clone())) {
        return;
      }
    }
  }

  /**
   * A copy of every key space taken under the write lock (so it sees whole batches only). Costs
   * memory in proportion to the data: fine for tests and the simulator.
   */
  @Override
  public synchronized StorageSnapshot snapshot() {
    Map<Keyspace, NavigableMap<byte[], byte[]>> copy = new EnumMap<>(Keyspace.class);
    for (Map.Entry<Keyspace, ConcurrentSkipListMap<byte[], byte[]>> e : spaces.entrySet()) {
      copy.put(e.getKey(), new TreeMap<>(e.getValue()));
    }
    return new Snapshot(copy);
  }

  @Override
  public synchronized void deleteRange(Keyspace space, byte[] fromInclusive, byte[] toExclusive) {
    spaces.get(space).subMap(fromInclusive, true, toExclusive, false).clear();
  }

  private static final class Snapshot implements StorageSnapshot {
    private volatile Map<Keyspace, NavigableMap<byte[], byte[]>> spaces;

    Snapshot(Map<Keyspace, NavigableMap<byte[], byte[]>> spaces) {
      this.spaces = spaces;
    }

    @Override
    public void scan(Keyspace space, byte[] fromInclusive, byte[] toExclusive, Visitor visitor) {
      Map<Keyspace, NavigableMap<byte[], byte[]>> s = spaces;
      if (s == null) {
        throw new StorageException("snapshot already closed");
      }
      for (Map.Entry<byte[], byte[]> e :
          s.get(space).subMap(fromInclusive, true, toExclusive, false).entrySet()) {
        if (!visitor.visit(e.getKey().clone(), e.getValue().clone())) {
          return;
        }
      }
    }

    @Override
    public void close() {
      spaces = null;
    }
  }

  /** Number of keys in a key space, for tests. */
  public int size(Keyspace space) {
    return spaces.get(space).size();
  }

  @Override
  public void close() {}
}

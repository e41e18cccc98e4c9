package io.dynamo.core.sim;

import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.storage.WriteBatch;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * A node's disk under a simulated clock, telling what a process sees from what would survive a
 * power loss. It models the server's {@code storage.sync} (docs/operations.md, Durability):
 *
 * <ul>
 *   <li>{@link Durability#SYNC}: every batch is durable when {@link #write} returns (the WAL is
 *       fsynced);
 *   <li>{@link Durability#NO_SYNC}: a batch is visible at once but sits in the OS page cache, and
 *       becomes durable {@code flushDelayMillis} later (the OS writes the cache out in order),
 *       unless it {@link WriteBatch#syncRequired() requires sync}: then it and every batch before
 *       it are durable at once (an fsync of the write-ahead log).
 * </ul>
 *
 * A process crash changes nothing here: the OS still holds the buffered batches and writes them
 * out. {@link #powerLoss()} drops every batch not yet durable, in both modes. Single-threaded, like
 * the rest of the simulator.
 */
public final class SimulatedDisk implements StorageEngine {
  /** When a written batch becomes durable. */
  public enum Durability {
    SYNC,
    NO_SYNC
  }

  private record Buffered(long durableAt, Store.Batch batch) {}

  private final Durability durability;
  private final long flushDelayMillis;
  private final LongSupplier now;
  private final ArrayDeque<Buffered> buffered = new ArrayDeque<>();
  private final Store durable = new Store();
  private Store visible = new Store();
  private long lostBatches;
  private long hintWrites;

  private boolean failingWrites;

  public SimulatedDisk(Durability durability, long flushDelayMillis, LongSupplier now) {
    if (flushDelayMillis < 0) {
      throw new IllegalArgumentException("negative flush delay");
    }
    this.durability = durability;
    this.flushDelayMillis = flushDelayMillis;
    this.now = now;
  }

  public Durability durability() {
    return durability;
  }

  @Override
  public byte[] get(Keyspace space, byte[] key) {
    byte[] v = visible.map(space).get(key);
    return v == null ? null : v.clone();
  }

  /** From now on every write fails as a broken disk's would, applying nothing (or works again). */
  public void failWrites(boolean fail) {
    failingWrites = fail;
  }

  @Override
  public void write(WriteBatch batch) {
    if (failingWrites) {
      throw new io.dynamo.core.storage.StorageException("simulated disk failure: write refused");
    }
    Store.Batch copy = Store.Batch.of(batch);
    for (WriteBatch.Op op : copy.ops()) {
      if (op.space() == Keyspace.HINTS && op.value() != null) {
        hintWrites++;
      }
    }
    visible.apply(copy);
    if (durability == Durability.SYNC) {
      durable.apply(copy);
    } else if (batch.syncRequired()) {
      while (!buffered.isEmpty()) {
        durable.apply(buffered.poll().batch());
      }
      durable.apply(copy);
    } else {
      settle();
      buffered.add(new Buffered(now.getAsLong() + flushDelayMillis, copy));
    }
  }

  @Override
  public void scan(Keyspace space, byte[] fromInclusive, byte[] toExclusive, Visitor visitor) {
    for (Map.Entry<byte[], byte[]> e :
        visible.map(space).subMap(fromInclusive, true, toExclusive, false).entrySet()) {
      if (!visitor.visit(e.getKey().clone(), e.getValue().clone())) {
        return;
      }
    }
  }

  /** The power fails: what the OS had not written out is gone. The process must be down. */
  public void powerLoss() {
    settle();
    lostBatches += buffered.size();
    buffered.clear();
    visible = durable.copy();
  }

  /** Batches written but not yet durable. */
  public int unsyncedBatches() {
    settle();
    return buffered.size();
  }

  /** Batches power losses have dropped so far. */
  public long lostBatches() {
    return lostBatches;
  }

  /** Hints written (created or merged into) so far, to see that a scenario exercises handoff. */
  public long hintWrites() {
    return hintWrites;
  }

  /** Moves batches whose flush time has come to durable storage, in write order. */
  private void settle() {
    long t = now.getAsLong();
    while (!buffered.isEmpty() && buffered.peek().durableAt() <= t) {
      durable.apply(buffered.poll().batch());
    }
  }

  @Override
  public void close() {}

  /** Ordered key spaces, keys compared as unsigned bytes like RocksDB's default comparator. */
  private static final class Store {
    record Batch(WriteBatch.Op[] ops) {
      static Batch of(WriteBatch batch) {
        return new Batch(
            batch.ops().stream()
                .map(op -> new WriteBatch.Op(
                    op.space(), op.key().clone(), op.value() == null ? null : op.value().clone()))
                .toArray(WriteBatch.Op[]::new));
      }
    }

    private final Map<Keyspace, TreeMap<byte[], byte[]>> spaces = new EnumMap<>(Keyspace.class);

    Store() {
      for (Keyspace s : Keyspace.values()) {
        spaces.put(s, new TreeMap<>(Arrays::compareUnsigned));
      }
    }

    TreeMap<byte[], byte[]> map(Keyspace space) {
      return spaces.get(space);
    }

    void apply(Batch batch) {
      for (WriteBatch.Op op : batch.ops()) {
        if (op.value() == null) {
          map(op.space()).remove(op.key());
        } else {
          map(op.space()).put(op.key(), op.value());
        }
      }
    }

    Store copy() {
      Store out = new Store();
      for (Keyspace s : Keyspace.values()) {
        out.map(s).putAll(map(s)); // arrays are never mutated once stored
      }
      return out;
    }
  }
}

package io.dynamo.core.antientropy;

import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.DataWriteObserver;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.storage.StorageSnapshot;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * A node's {@link HashTree}s, one per partition it has built one for, kept current as writes land.
 * Thread-safe: storage threads write through {@link #write}, the anti-entropy service reads and
 * rebuilds.
 *
 * <p>A partition's tree exists only once it was {@link #rebuild built} from a scan; before that,
 * writes to the partition cost nothing here. A rebuild never pauses writes or exchanges: under the
 * partition's lock (held by writers only around their storage write, shared) it takes a storage
 * snapshot and starts queueing every later write's change in a second tree; it scans the snapshot
 * without the lock, then XORs the queued changes into the scanned tree and swaps it in. An older
 * tree, if there was one, keeps serving exchanges and taking updates until the swap. A write that
 * committed before the snapshot is in the scan, one after it is in the queue: because XOR commutes,
 * the result equals a tree built from scratch at the swap.
 *
 * <p>Memory: {@link HashTree#BYTES} (about 33 KiB) per built partition, twice that during its
 * rebuild.
 */
public final class PartitionTrees implements DataWriteObserver {
  private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();

  /** A partition's tree and how it stands. */
  private static final class Slot {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Guarded by {@code this}: the tree exchanges read; null until first built. */
    HashTree tree;
    /** Guarded by {@code this}: changes since a running rebuild's snapshot; null otherwise. */
    HashTree queued;
    long rebuilds;
    /** Incremented whenever the tree is dropped, so a rebuild that raced the drop is discarded. */
    long generation;
  }

  private Slot slot(int partition) {
    return slots.computeIfAbsent(partition, p -> new Slot());
  }

  /**
   * Runs {@code storageWrite}, which changes {@code dataKey}'s record from {@code before} to {@code
   * after} (either null when absent), and records the change in the partition's tree. Call with the
   * key's own lock held, so the stored record cannot change between the read of {@code before} and
   * the write.
   */
  @Override
  public void write(byte[] dataKey, byte[] before, byte[] after, Runnable storageWrite) {
    Slot slot = slot(partitionOf(dataKey));
    ReentrantReadWriteLock.ReadLock shared = slot.lock.readLock();
    shared.lock();
    try {
      storageWrite.run();
      // Under the shared lock no rebuild can start, so a partition without a tree or a rebuild
      // (one this node does not own) costs no hashing.
      boolean tracked;
      synchronized (slot) {
        tracked = slot.tree != null || slot.queued != null;
      }
      if (!tracked) {
        return;
      }
      long delta =
          KeyHashes.contribution(dataKey, before) ^ KeyHashes.contribution(dataKey, after);
      if (delta != 0) {
        int segment = KeyHashes.segmentOf(dataKey);
        synchronized (slot) {
          if (slot.tree != null) {
            slot.tree.add(segment, delta);
          }
          if (slot.queued != null) {
            slot.queued.add(segment, delta);
          }
        }
      }
    } finally {
      shared.unlock();
    }
  }

  /**
   * Builds {@code partition}'s tree anew from {@code engine}'s data, without stopping writes.
   * Blocking (a scan of the partition): call on a storage thread. Returns false, doing nothing,
   * when a rebuild of the partition is already running.
   */
  public boolean rebuild(int partition, StorageEngine engine) {
    Slot slot = slot(partition);
    StorageSnapshot snapshot;
    long generation;
    ReentrantReadWriteLock.WriteLock exclusive = slot.lock.writeLock();
    exclusive.lock();
    try {
      synchronized (slot) {
        if (slot.queued != null) {
          return false;
        }
        slot.queued = new HashTree();
        generation = slot.generation;
      }
      try {
        snapshot = engine.snapshot();
      } catch (UnsupportedOperationException e) {
        snapshot = null;
      }
      if (snapshot == null) {
        // An engine without snapshots (test engines): scan under the lock, so writes wait.
        HashTree scanned = scan(partition, engine::scan);
        finish(slot, scanned, generation);
        return true;
      }
    } catch (RuntimeException e) {
      synchronized (slot) {
        slot.queued = null;
      }
      throw e;
    } finally {
      exclusive.unlock();
    }
    try (StorageSnapshot s = snapshot) {
      finish(slot, scan(partition, s::scan), generation);
      return true;
    } catch (RuntimeException e) {
      synchronized (slot) {
        slot.queued = null;
      }
      throw e;
    }
  }

  private static void finish(Slot slot, HashTree scanned, long generation) {
    synchronized (slot) {
      if (slot.generation == generation) {
        scanned.addAll(slot.queued);
        slot.tree = scanned;
        slot.rebuilds++;
      }
      slot.queued = null;
    }
  }

  /** A scan over some view of the data. */
  @FunctionalInterface
  private interface Scan {
    void scan(Keyspace space, byte[] from, byte[] to, StorageEngine.Visitor visitor);
  }

  private static HashTree scan(int partition, Scan source) {
    HashTree tree = new HashTree();
    source.scan(
        Keyspace.DATA,
        DataKey.partitionStart(partition),
        end(partition),
        (k, v) -> {
          tree.add(KeyHashes.segmentOf(k), KeyHashes.contribution(k, v));
          return true;
        });
    return tree;
  }

  /**
   * Forgets {@code partition}'s tree (its data was deleted in bulk, or a check found the tree
   * wrong); exchanges skip it until it is rebuilt. A rebuild running now is discarded.
   */
  public void drop(int partition) {
    Slot slot = slot(partition);
    synchronized (slot) {
      slot.tree = null;
      slot.generation++;
    }
  }

  /** Whether {@code partition} has a tree exchanges can use. */
  public boolean ready(int partition) {
    Slot slot = slots.get(partition);
    if (slot == null) {
      return false;
    }
    synchronized (slot) {
      return slot.tree != null;
    }
  }

  /** Whether a rebuild of {@code partition} is running. */
  public boolean rebuilding(int partition) {
    Slot slot = slots.get(partition);
    if (slot == null) {
      return false;
    }
    synchronized (slot) {
      return slot.queued != null;
    }
  }

  /** How many times {@code partition}'s tree was built. */
  public long rebuilds(int partition) {
    Slot slot = slots.get(partition);
    if (slot == null) {
      return 0;
    }
    synchronized (slot) {
      return slot.rebuilds;
    }
  }

  /**
   * Applies {@code reader} to {@code partition}'s tree under its guard and returns the result, or
   * null when the partition has no tree. The reader must not keep the tree.
   */
  public <T> T read(int partition, Function<HashTree, T> reader) {
    Slot slot = slots.get(partition);
    if (slot == null) {
      return null;
    }
    synchronized (slot) {
      return slot.tree == null ? null : reader.apply(slot.tree);
    }
  }

  /** A copy of {@code partition}'s tree, or null when it has none. */
  public HashTree copy(int partition) {
    return read(partition, HashTree::copy);
  }

  static int partitionOf(byte[] dataKey) {
    return ((dataKey[0] & 0xff) << 24) | ((dataKey[1] & 0xff) << 16) | ((dataKey[2] & 0xff) << 8)
        | (dataKey[3] & 0xff);
  }

  private static byte[] end(int partition) {
    return partition == Integer.MAX_VALUE
        ? new byte[] {(byte) 0x80, 0, 0, 0}
        : DataKey.partitionStart(partition + 1);
  }
}

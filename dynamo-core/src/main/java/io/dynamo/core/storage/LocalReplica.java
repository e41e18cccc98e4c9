package io.dynamo.core.storage;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.core.version.Versioned;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One node's replica of the data: reads and reconciling writes of sibling sets over a storage
 * engine. Each key's read-reconcile-write runs under a lock striped by key, so two writes to one key
 * on one node never interleave and neither is lost. Blocking: call it from a storage thread.
 */
public final class LocalReplica {
  private static final int STRIPES = 256;

  private final StorageEngine engine;
  private final int maxClockEntries;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  public LocalReplica(StorageEngine engine, int maxClockEntries) {
    this.engine = engine;
    this.maxClockEntries = maxClockEntries;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  public StorageEngine engine() {
    return engine;
  }

  public SiblingSet read(DataKey key) {
    return load(key.encode());
  }

  /**
   * Creates a new version as the coordinator {@code self}: its dot takes the next counter after any
   * this node has used for the key, so two writes it coordinates are never mistaken for one, and it
   * makes obsolete only what {@code context} covers.
   */
  public Versioned coordinate(
      DataKey key,
      NodeId self,
      long nowMillis,
      VectorClock context,
      boolean tombstone,
      byte[] value,
      ConflictMode mode) {
    byte[] raw = key.encode();
    ReentrantLock lock = lockFor(raw);
    lock.lock();
    try {
      SiblingSet stored = load(raw);
      long counter = Math.max(stored.highestCounter(self), context.counter(self)) + 1;
      Dot dot = new Dot(self, counter, nowMillis);
      VectorClock pruned = context.prune(maxClockEntries);
      Versioned created =
          tombstone ? Versioned.tombstone(dot, pruned) : Versioned.value(dot, pruned, value);
      store(raw, stored, stored.apply(created, mode));
      return created;
    } finally {
      lock.unlock();
    }
  }

  /** Reconciles a version made elsewhere into this replica; returns what is stored after. */
  public SiblingSet apply(DataKey key, Versioned version, ConflictMode mode) {
    byte[] raw = key.encode();
    ReentrantLock lock = lockFor(raw);
    lock.lock();
    try {
      SiblingSet stored = load(raw);
      SiblingSet updated = stored.apply(version, mode);
      store(raw, stored, updated);
      return updated;
    } finally {
      lock.unlock();
    }
  }

  private void store(byte[] raw, SiblingSet before, SiblingSet after) {
    if (after.equals(before)) {
      return;
    }
    engine.write(new WriteBatch().put(Keyspace.DATA, raw, VersionCodec.encodeSiblings(after)));
  }

  private SiblingSet load(byte[] raw) {
    byte[] bytes = engine.get(Keyspace.DATA, raw);
    if (bytes == null) {
      return SiblingSet.EMPTY;
    }
    try {
      return VersionCodec.decodeSiblings(bytes);
    } catch (MalformedVersionException e) {
      // Refuse rather than overwrite: another replica (or anti-entropy) still has good data.
      throw new StorageException("corrupt record for " + DataKey.decode(raw) + ": " + e.getMessage(), e);
    }
  }

  private ReentrantLock lockFor(byte[] raw) {
    return locks[Math.floorMod(Arrays.hashCode(raw), STRIPES)];
  }
}

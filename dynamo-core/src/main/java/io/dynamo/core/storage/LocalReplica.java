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
  /** META key prefix of a data key's dot-counter high-water mark; the data key follows. */
  private static final byte COUNTER_PREFIX = 'c';

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

  /** A version a coordinator created, and the key's sibling set after it. */
  public record Coordinated(Versioned created, SiblingSet siblings) {
    /**
     * The context to hand the writer: the new version's clock, unless that clock would also cover
     * a concurrent sibling the writer never saw (an earlier event of the same coordinator), in
     * which case there is none and the writer must read to reconcile.
     */
    public VectorClock writerContext() {
      VectorClock clock = created.clock();
      for (Versioned v : siblings.versions()) {
        if (!v.dot().sameEvent(created.dot()) && clock.covers(v.dot())) {
          return VectorClock.EMPTY;
        }
      }
      return clock;
    }

    /** Whether the new version stands beside concurrent siblings. */
    public boolean hasSiblings() {
      return siblings.versions().size() > 1;
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
  public Coordinated coordinate(
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
      // The stored clocks alone can forget a counter this node used: a version superseding ours
      // through a context that claims our later event need not carry our earlier one. So the
      // highest counter used is also kept on its own, and a dot is never handed out twice.
      byte[] counterKey = counterKey(raw);
      long used = usedCounter(counterKey);
      long counter =
          Math.max(used, Math.max(stored.highestCounter(self), context.counter(self))) + 1;
      Dot dot = new Dot(self, counter, nowMillis);
      VectorClock pruned = context.prune(maxClockEntries);
      Versioned created =
          tombstone ? Versioned.tombstone(dot, pruned) : Versioned.value(dot, pruned, value);
      SiblingSet after = stored.apply(created, mode);
      WriteBatch batch = new WriteBatch().put(Keyspace.META, counterKey, encodeCounter(counter));
      if (!after.equals(stored)) {
        batch.put(Keyspace.DATA, raw, VersionCodec.encodeSiblings(after));
      }
      engine.write(batch);
      return new Coordinated(created, after);
    } finally {
      lock.unlock();
    }
  }

  /** Merges versions held elsewhere into this replica; returns what is stored after. */
  public SiblingSet merge(DataKey key, SiblingSet incoming, ConflictMode mode) {
    byte[] raw = key.encode();
    ReentrantLock lock = lockFor(raw);
    lock.lock();
    try {
      SiblingSet stored = load(raw);
      SiblingSet updated = stored.merge(incoming, mode);
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

  private static byte[] counterKey(byte[] raw) {
    byte[] key = new byte[raw.length + 1];
    key[0] = COUNTER_PREFIX;
    System.arraycopy(raw, 0, key, 1, raw.length);
    return key;
  }

  private long usedCounter(byte[] counterKey) {
    byte[] bytes = engine.get(Keyspace.META, counterKey);
    if (bytes == null) {
      return 0;
    }
    if (bytes.length != Long.BYTES) {
      throw new StorageException("corrupt dot counter of " + bytes.length + " bytes");
    }
    long v = 0;
    for (byte b : bytes) {
      v = (v << 8) | (b & 0xff);
    }
    return v;
  }

  private static byte[] encodeCounter(long counter) {
    byte[] out = new byte[Long.BYTES];
    for (int i = Long.BYTES - 1; i >= 0; i--) {
      out[i] = (byte) counter;
      counter >>>= 8;
    }
    return out;
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

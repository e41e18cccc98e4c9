package io.dynamo.core.storage;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.core.version.Versioned;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    return coordinate(key, self, nowMillis, context, tombstone, value, mode, List.of());
  }

  /**
   * As {@link #coordinate(DataKey, NodeId, long, VectorClock, boolean, byte[], ConflictMode)}, for
   * a coordinator that must keep hints for the home replicas {@code hintFor} (those it stands in
   * for, and those down with no substitute): the result is also kept as a hint for each, in the
   * same atomic batch.
   */
  public Coordinated coordinate(
      DataKey key,
      NodeId self,
      long nowMillis,
      VectorClock context,
      boolean tombstone,
      byte[] value,
      ConflictMode mode,
      Collection<NodeId> hintFor) {
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
      for (NodeId target : hintFor) {
        addHint(batch, target, raw, after, mode, nowMillis);
      }
      engine.write(batch);
      return new Coordinated(created, after);
    } finally {
      lock.unlock();
    }
  }

  /** Merges versions held elsewhere into this replica; returns what is stored after. */
  public SiblingSet merge(DataKey key, SiblingSet incoming, ConflictMode mode) {
    return merge(key, incoming, mode, null, 0);
  }

  /**
   * Merges versions held elsewhere into this replica and, when standing in for the home replica
   * {@code hintFor}, into a durable hint for it, atomically.
   */
  public SiblingSet merge(
      DataKey key, SiblingSet incoming, ConflictMode mode, NodeId hintFor, long nowMillis) {
    byte[] raw = key.encode();
    ReentrantLock lock = lockFor(raw);
    lock.lock();
    try {
      SiblingSet stored = load(raw);
      SiblingSet updated = stored.merge(incoming, mode);
      WriteBatch batch = new WriteBatch();
      if (!updated.equals(stored)) {
        batch.put(Keyspace.DATA, raw, VersionCodec.encodeSiblings(updated));
      }
      if (hintFor != null) {
        addHint(batch, hintFor, raw, incoming, mode, nowMillis);
      }
      if (!batch.isEmpty()) {
        engine.write(batch);
      }
      return updated;
    } finally {
      lock.unlock();
    }
  }

  /** Up to {@code limit} hints held for {@code target}, in key order. */
  public List<Hint> hintsFor(NodeId target, int limit) {
    List<Hint> out = new ArrayList<>();
    engine.scan(
        Keyspace.HINTS,
        Hint.targetStart(target),
        Hint.targetEnd(target),
        (k, v) -> {
          out.add(decodeHint(target, k, v));
          return out.size() < limit;
        });
    return out;
  }

  /**
   * Deletes a delivered hint, unless versions were merged into it since it was read (then it stays,
   * to be delivered again). Returns whether it was deleted.
   */
  public boolean deleteHint(Hint hint) {
    byte[] raw = hint.key().encode();
    byte[] hintKey = Hint.encodeKey(hint.target(), raw);
    ReentrantLock lock = lockFor(raw);
    lock.lock();
    try {
      if (!Arrays.equals(engine.get(Keyspace.HINTS, hintKey), hint.stored())) {
        return false;
      }
      engine.write(new WriteBatch().delete(Keyspace.HINTS, hintKey));
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Pending hints per target node: how many, and when the oldest was created. */
  public Map<NodeId, HintQueueStats> hintQueues() {
    Map<NodeId, HintQueueStats> out = new TreeMap<>();
    engine.scan(
        Keyspace.HINTS,
        new byte[0],
        new byte[] {(byte) 0xff},
        (k, v) -> {
          NodeId target = Hint.decodeTarget(k);
          long created = v.length >= Long.BYTES ? decodeLong(v, 0) : 0;
          out.merge(
              target,
              new HintQueueStats(1, created),
              (a, b) -> new HintQueueStats(a.count() + 1, Math.min(a.oldestCreatedAtMillis(), created)));
          return true;
        });
    return out;
  }

  /** A target's pending hints. */
  public record HintQueueStats(long count, long oldestCreatedAtMillis) {}

  private void addHint(
      WriteBatch batch, NodeId target, byte[] raw, SiblingSet versions, ConflictMode mode, long now) {
    byte[] hintKey = Hint.encodeKey(target, raw);
    byte[] existing = engine.get(Keyspace.HINTS, hintKey);
    long createdAt = now;
    SiblingSet merged = versions;
    if (existing != null) {
      Hint old = decodeHint(target, hintKey, existing);
      createdAt = old.createdAtMillis();
      merged = old.siblings().merge(versions, mode);
    }
    byte[] body = VersionCodec.encodeSiblings(merged);
    byte[] value = new byte[Long.BYTES + body.length];
    encodeLong(value, 0, createdAt);
    System.arraycopy(body, 0, value, Long.BYTES, body.length);
    batch.put(Keyspace.HINTS, hintKey, value);
  }

  private static Hint decodeHint(NodeId target, byte[] hintKey, byte[] value) {
    DataKey key = DataKey.decode(Hint.decodeDataKey(hintKey));
    if (value.length < Long.BYTES) {
      throw new StorageException("corrupt hint for " + target + " of " + key);
    }
    try {
      SiblingSet set = VersionCodec.decodeSiblings(Arrays.copyOfRange(value, Long.BYTES, value.length));
      return new Hint(target, key, set, decodeLong(value, 0), value);
    } catch (MalformedVersionException e) {
      throw new StorageException("corrupt hint for " + target + " of " + key + ": " + e.getMessage(), e);
    }
  }

  private static long decodeLong(byte[] b, int offset) {
    long v = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      v = (v << 8) | (b[offset + i] & 0xff);
    }
    return v;
  }

  private static void encodeLong(byte[] out, int offset, long v) {
    for (int i = Long.BYTES - 1; i >= 0; i--) {
      out[offset + i] = (byte) v;
      v >>>= 8;
    }
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
    return decodeLong(bytes, 0);
  }

  private static byte[] encodeCounter(long counter) {
    byte[] out = new byte[Long.BYTES];
    encodeLong(out, 0, counter);
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

package io.dynamo.core.storage;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.ContextLimits;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.core.version.Versioned;
import io.dynamo.core.version.WriteId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One node's replica of the data: reads and reconciling writes of sibling sets over a storage
 * engine. Each key's read-reconcile-write runs under a lock striped by key, so two writes to one key
 * on one node never interleave and neither is lost; writes of different keys run in parallel.
 * Blocking: call it from a storage thread. One {@code LocalReplica} per engine coordinates writes
 * (it owns the node's {@link DotCounter}); others may read.
 */
public final class LocalReplica {
  private static final int STRIPES = 256;

  private final StorageEngine engine;
  private final int maxClockEntries;
  private final DotCounter dots;
  private final Function<String, KeyLimits> limits;
  private long failures;
  private String lastFailure = "";
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
  /** Sees every data write (anti-entropy's hash trees); null for none. */
  private final DataWriteObserver trees;

  public LocalReplica(StorageEngine engine, int maxClockEntries) {
    this(engine, maxClockEntries, DotCounter.DEFAULT_LEASE_BLOCK);
  }

  /**
   * @param dotLeaseBlock how many dot counters one write of the counter's high-water mark leases
   *     ({@link DotCounter})
   */
  public LocalReplica(StorageEngine engine, int maxClockEntries, long dotLeaseBlock) {
    this(engine, maxClockEntries, dotLeaseBlock, bucket -> KeyLimits.UNLIMITED);
  }

  /**
   * @param limits each bucket's {@link KeyLimits}, which coordinated writes must respect
   */
  public LocalReplica(
      StorageEngine engine, int maxClockEntries, long dotLeaseBlock, Function<String, KeyLimits> limits) {
    this(engine, maxClockEntries, dotLeaseBlock, limits, null);
  }

  /**
   * @param trees sees every data write (the node's anti-entropy hash trees); null for none
   */
  public LocalReplica(
      StorageEngine engine,
      int maxClockEntries,
      long dotLeaseBlock,
      Function<String, KeyLimits> limits,
      DataWriteObserver trees) {
    this(engine, maxClockEntries, dotLeaseBlock, limits, trees, null);
  }

  /**
   * @param newEpoch random bits for the epoch of a new data directory (docs/anti-entropy.md, dots
   *     after data loss); null: dots are made by the plain node id
   */
  public LocalReplica(
      StorageEngine engine,
      int maxClockEntries,
      long dotLeaseBlock,
      Function<String, KeyLimits> limits,
      DataWriteObserver trees,
      java.util.function.LongSupplier newEpoch) {
    this.trees = trees;
    this.limits = limits;
    this.engine = engine;
    this.maxClockEntries = maxClockEntries;
    this.dots = DotCounter.open(engine, dotLeaseBlock, newEpoch);
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /**
   * A version a coordinator created, the key's sibling set after it, and that set's stored record.
   *
   * @param record exactly the bytes stored under the key ({@link VersionCodec#encodeSiblings} of
   *     {@code siblings}), to send to other replicas as they are; shared, never modify it
   */
  public record Coordinated(Versioned created, SiblingSet siblings, byte[] record) {
    public Coordinated {
      Objects.requireNonNull(created, "created");
      Objects.requireNonNull(siblings, "siblings");
      Objects.requireNonNull(record, "record");
    }

    /** Encodes {@code siblings} for the record. */
    public Coordinated(Versioned created, SiblingSet siblings) {
      this(created, siblings, VersionCodec.encodeSiblings(siblings));
    }

    /**
     * The context to hand the writer: the new version's clock, unless that clock would also cover
     * a concurrent sibling the writer never saw (an earlier event of the same coordinator), in
     * which case there is none and the writer must read to reconcile.
     */
    public VectorClock writerContext() {
      VectorClock clock = created.clock();
      for (Versioned v : siblings.versions()) {
        if (!v.dot().sameEvent(created.dot()) && v.coveredBy(clock)) {
          return VectorClock.EMPTY;
        }
      }
      return clock;
    }

    /** Whether the new version stands beside concurrent siblings. */
    public boolean hasSiblings() {
      return siblings.versions().size() > 1;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Coordinated c && created.equals(c.created) && siblings.equals(c.siblings)
          && Arrays.equals(record, c.record);
    }

    @Override
    public int hashCode() {
      return created.hashCode() * 31 + siblings.hashCode();
    }

    @Override
    public String toString() {
      return "Coordinated{created=" + created + ", " + siblings.versions().size() + " versions, "
          + record.length + "-byte record}";
    }
  }

  /** A key's stored record and what it decodes to. */
  private record Stored(byte[] record, SiblingSet siblings) {
    static final Stored ABSENT = new Stored(null, SiblingSet.EMPTY);
  }

  public StorageEngine engine() {
    return engine;
  }

  private record Actor(NodeId self, NodeId actor) {}

  /** The last actor computed: a node coordinates as one id, so this saves a string per write. */
  private volatile Actor lastActor;

  /** The actor whose dots {@code self} makes here: itself, or itself with this directory's epoch. */
  public NodeId actor(NodeId self) {
    Actor a = lastActor;
    if (a == null || !a.self().equals(self)) {
      a = new Actor(self, dots.actor(self));
      lastActor = a;
    }
    return a.actor();
  }

  /** This data directory's epoch ("" without one). */
  public String epoch() {
    return dots.epoch();
  }

  /** The highest dot counter this node has issued, for tests and diagnostics. */
  public long lastIssuedCounter() {
    return dots.lastIssued();
  }

  public SiblingSet read(DataKey key) {
    return load(key.encode()).siblings();
  }

  /**
   * The key's stored record exactly as stored, not decoded or checked (its receiver decodes it,
   * which verifies the checksum), or null when the key is absent. The array is the caller's.
   */
  public byte[] readRecord(DataKey key) {
    return engine.get(Keyspace.DATA, key.encode());
  }

  /**
   * Creates a new version as the coordinator {@code self}: its dot takes the node's next counter,
   * above any it has used for any key and any the key's versions or {@code context} carry, so two
   * writes it coordinates are never mistaken for one, and it makes obsolete only what {@code
   * context} covers.
   *
   * @throws io.dynamo.core.version.InvalidContextException if a counter of {@code context} is past
   *     what {@link ContextLimits#checkCounters} allows; nothing is written then
   */
  public Coordinated coordinate(
      DataKey key,
      NodeId self,
      long nowMillis,
      VectorClock context,
      boolean tombstone,
      byte[] value,
      ConflictMode mode) {
    return coordinate(key, self, nowMillis, context, tombstone, value, mode, List.of(), null);
  }

  /** As the variant with a write id, for a write without one. */
  public Coordinated coordinate(
      DataKey key,
      NodeId self,
      long nowMillis,
      VectorClock context,
      boolean tombstone,
      byte[] value,
      ConflictMode mode,
      Collection<NodeId> hintFor) {
    return coordinate(key, self, nowMillis, context, tombstone, value, mode, hintFor, null);
  }

  /**
   * As {@link #coordinate(DataKey, NodeId, long, VectorClock, boolean, byte[], ConflictMode)}, for
   * a coordinator that must keep hints for the home replicas {@code hintFor} (those it stands in
   * for, and those down with no substitute): the result is also kept as a hint for each, in the
   * same atomic batch.
   *
   * <p>With a {@code writeId}, the version carries it. When this replica already holds a copy of
   * that write (a retry reaching the coordinator that took an earlier attempt), no new event is
   * made: the stored copy is the result, to be sent to the other replicas again, and no duplicate
   * can arise here.
   */
  public Coordinated coordinate(
      DataKey key,
      NodeId self,
      long nowMillis,
      VectorClock context,
      boolean tombstone,
      byte[] value,
      ConflictMode mode,
      Collection<NodeId> hintFor,
      WriteId writeId) {
    byte[] raw = key.encode();
    // The node makes its dots as this directory's actor (its id and epoch).
    NodeId actor = actor(self);
    ReentrantLock lock = lockFor(raw);
    lock.lock();
    try {
      Stored stored = load(raw);
      long storedHighest = stored.siblings().highestCounter(actor);
      // Checked before a counter is issued, so a refused context changes nothing: not the key,
      // not the node's counter.
      ContextLimits.checkCounters(context, actor, dots.lastIssued(), stored.siblings());
      Versioned copy = writeId == null ? null : stored.siblings().withWriteId(writeId);
      if (copy != null
          && (copy.tombstone() != tombstone || (!tombstone && !Arrays.equals(copy.value(), value)))) {
        copy = null; // the id reused for another value: a new write, not a retry of that one
      }
      if (copy != null && stored.record() != null) {
        WriteBatch batch = new WriteBatch();
        for (NodeId target : hintFor) {
          addHint(batch, target, raw, stored.siblings(), stored.record(), mode, nowMillis);
        }
        if (!batch.isEmpty()) {
          engine.write(batch);
        }
        return new Coordinated(copy, stored.siblings(), stored.record());
      }
      // The stored clocks alone can forget a counter this node used (pruning, or a version
      // superseding ours through a context that claims our later event), so the node-wide
      // counter, which only grows, is the source; the key's versions and the context can only
      // move it further.
      long floor = Math.max(storedHighest, context.counter(actor));
      try (DotCounter.Ticket ticket = dots.issue(floor)) {
        Dot dot = new Dot(actor, ticket.counter(), nowMillis);
        VectorClock pruned = context.prune(maxClockEntries);
        Versioned created =
            (tombstone ? Versioned.tombstone(dot, pruned) : Versioned.value(dot, pruned, value))
                .withWriteId(writeId);
        SiblingSet after = stored.siblings().apply(created, mode);
        if (writeId != null && after.copyOf(created) != null) {
          created = after.copyOf(created); // united with a copy merged in meanwhile
        }
        WriteBatch batch = new WriteBatch();
        byte[] record;
        if (stored.record() != null && unchanged(after, stored.siblings())) {
          record = stored.record();
        } else {
          record = VersionCodec.encodeSiblings(after);
          limits.apply(key.bucket()).check(
              stored.siblings().versions().size(), after.versions().size(),
              stored.record() == null ? 0 : stored.record().length, record.length);
          batch.put(Keyspace.DATA, raw, record);
        }
        boolean dataChanged = !batch.isEmpty();
        ticket.addTo(batch);
        for (NodeId target : hintFor) {
          addHint(batch, target, raw, after, record, mode, nowMillis);
        }
        if (dataChanged) {
          writeData(raw, stored.record(), record, batch);
        } else if (!batch.isEmpty()) {
          engine.write(batch);
        }
        ticket.written();
        return new Coordinated(created, after, record);
      }
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
   * {@code hintFor}, into a durable hint for it, atomically. Writes nothing when neither changes.
   */
  public SiblingSet merge(
      DataKey key, SiblingSet incoming, ConflictMode mode, NodeId hintFor, long nowMillis) {
    return merge(key, incoming, null, mode, hintFor, nowMillis);
  }

  /**
   * As {@link #merge(DataKey, SiblingSet, ConflictMode, NodeId, long)}, for a stored record as it
   * travels between nodes ({@link #readRecord}, {@link Coordinated#record()}). When the result is
   * exactly the incoming set, the incoming bytes are stored as they are, not encoded again.
   *
   * @throws MalformedVersionException if {@code incomingRecord} fails its checksum or does not
   *     decode; nothing is written then
   */
  public SiblingSet merge(
      DataKey key, byte[] incomingRecord, ConflictMode mode, NodeId hintFor, long nowMillis) {
    SiblingSet incoming = VersionCodec.decodeSiblings(incomingRecord);
    return merge(key, incoming, incomingRecord, mode, hintFor, nowMillis);
  }

  private SiblingSet merge(
      DataKey key,
      SiblingSet incoming,
      byte[] incomingRecord,
      ConflictMode mode,
      NodeId hintFor,
      long nowMillis) {
    byte[] raw = key.encode();
    ReentrantLock lock = lockFor(raw);
    lock.lock();
    try {
      Stored before = load(raw);
      SiblingSet stored = before.siblings();
      SiblingSet updated = stored.merge(incoming, mode);
      WriteBatch batch = new WriteBatch();
      byte[] record = null;
      if (!unchanged(updated, stored)) {
        record = recordOf(updated, incoming, incomingRecord);
        batch.put(Keyspace.DATA, raw, record);
      }
      if (hintFor != null) {
        addHint(batch, hintFor, raw, incoming, incomingRecord, mode, nowMillis);
      }
      if (record != null) {
        writeData(raw, before.record(), record, batch);
      } else if (!batch.isEmpty()) {
        engine.write(batch);
      }
      return updated;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Keeps {@code record} (a stored sibling set) as a durable hint for each of {@code targets}, in
   * one atomic write, merging into hints already held; the key's own data is not touched.
   */
  public void hint(
      DataKey key, byte[] record, Collection<NodeId> targets, ConflictMode mode, long nowMillis) {
    SiblingSet versions = VersionCodec.decodeSiblings(record);
    byte[] raw = key.encode();
    ReentrantLock lock = lockFor(raw);
    lock.lock();
    try {
      WriteBatch batch = new WriteBatch();
      for (NodeId target : targets) {
        addHint(batch, target, raw, versions, record, mode, nowMillis);
      }
      if (!batch.isEmpty()) {
        engine.write(batch);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Notes a storage operation that failed, for operators ({@link #failures}). Thread-safe. */
  public synchronized void recordFailure(String what, Throwable error) {
    failures++;
    lastFailure = what + ": " + error;
  }

  /** Storage operations that failed since start, and the last one's error ("" if none). */
  public synchronized StorageFailures failures() {
    return new StorageFailures(failures, lastFailure);
  }

  /** How many storage operations failed, and how the last one did. */
  public record StorageFailures(long count, String last) {}

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
          long created = v.length >= Hint.HEADER_BYTES ? decodeLong(v, 0) : 0;
          out.merge(
              target,
              new HintQueueStats(1, created),
              (a, b) -> new HintQueueStats(a.count() + 1, Math.min(a.oldestCreatedAtMillis(), created)));
          return true;
        });
    return out;
  }

  /** Whether this node holds a hint, for any target, of a key in {@code partition}. */
  public boolean holdsHintsFor(int partition) {
    boolean[] found = {false};
    engine.scan(
        Keyspace.HINTS,
        new byte[0],
        new byte[] {(byte) 0xff},
        (k, v) -> {
          byte[] dataKey = Hint.decodeDataKey(k);
          if (dataKey.length >= 4 && DataKey.decode(dataKey).partition() == partition) {
            found[0] = true;
          }
          return !found[0];
        });
    return found[0];
  }

  /** Whether this node stores data of any key in {@code partition}. */
  public boolean holdsDataOf(int partition) {
    boolean[] any = {false};
    engine.scan(
        Keyspace.DATA, DataKey.partitionStart(partition), DataKey.partitionStart(partition + 1),
        (k, v) -> {
          any[0] = true;
          return false;
        });
    return any[0];
  }

  /** A target's pending hints. */
  public record HintQueueStats(long count, long oldestCreatedAtMillis) {}

  /**
   * Merges {@code versions} (whose record is {@code versionsRecord}, or null if not at hand) into
   * the hint for {@code target}; adds nothing to the batch when the hint already holds them.
   */
  private void addHint(
      WriteBatch batch,
      NodeId target,
      byte[] raw,
      SiblingSet versions,
      byte[] versionsRecord,
      ConflictMode mode,
      long now) {
    byte[] hintKey = Hint.encodeKey(target, raw);
    byte[] existing = engine.get(Keyspace.HINTS, hintKey);
    long createdAt = now;
    SiblingSet merged = versions;
    if (existing != null) {
      Hint old = decodeHint(target, hintKey, existing);
      merged = old.siblings().merge(versions, mode);
      if (unchanged(merged, old.siblings())) {
        return;
      }
      createdAt = old.createdAtMillis();
    }
    byte[] body = recordOf(merged, versions, versionsRecord);
    byte[] value = new byte[Hint.HEADER_BYTES + body.length];
    encodeLong(value, 0, createdAt);
    System.arraycopy(body, 0, value, Hint.HEADER_BYTES, body.length);
    batch.put(Keyspace.HINTS, hintKey, value);
  }

  /** The record of {@code set}: {@code knownRecord} when it is the record of that very set. */
  private static byte[] recordOf(SiblingSet set, SiblingSet known, byte[] knownRecord) {
    if (knownRecord != null && (set == known || set.equals(known))) {
      return knownRecord;
    }
    return VersionCodec.encodeSiblings(set);
  }

  private static boolean unchanged(SiblingSet after, SiblingSet before) {
    return after == before || after.equals(before);
  }

  private static Hint decodeHint(NodeId target, byte[] hintKey, byte[] value) {
    DataKey key = DataKey.decode(Hint.decodeDataKey(hintKey));
    if (value.length < Hint.HEADER_BYTES) {
      throw new StorageException("corrupt hint for " + target + " of " + key);
    }
    try {
      SiblingSet set = VersionCodec.decodeSiblings(Arrays.copyOfRange(value, Hint.HEADER_BYTES, value.length));
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

  /**
   * Deletes the record of the stored data key {@code raw} if {@code stillSame} accepts it (read
   * under the key's lock, so no write slips in between); returns whether it was deleted. For
   * removing a copy of data this node does not own once its owners hold it.
   */
  public boolean deleteIf(byte[] raw, java.util.function.Predicate<byte[]> stillSame) {
    ReentrantLock lock = lockFor(raw);
    lock.lock();
    try {
      byte[] record = engine.get(Keyspace.DATA, raw);
      if (record == null || !stillSame.test(record)) {
        return false;
      }
      writeData(raw, record, null, new WriteBatch().delete(Keyspace.DATA, raw));
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Writes a batch that changes {@code raw}'s record, keeping the hash tree current. */
  private void writeData(byte[] raw, byte[] before, byte[] after, WriteBatch batch) {
    if (trees == null) {
      engine.write(batch);
    } else {
      trees.write(raw, before, after, () -> engine.write(batch));
    }
  }

  private Stored load(byte[] raw) {
    byte[] bytes = engine.get(Keyspace.DATA, raw);
    if (bytes == null) {
      return Stored.ABSENT;
    }
    try {
      return new Stored(bytes, VersionCodec.decodeSiblings(bytes));
    } catch (MalformedVersionException e) {
      // Refuse rather than overwrite: another replica (or anti-entropy) still has good data.
      throw new StorageException("corrupt record for " + DataKey.decode(raw) + ": " + e.getMessage(), e);
    }
  }

  private ReentrantLock lockFor(byte[] raw) {
    return locks[Math.floorMod(Arrays.hashCode(raw), STRIPES)];
  }
}

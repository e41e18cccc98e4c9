package io.dynamo.core.storage;

import io.dynamo.core.ring.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The counter of the dots a node creates: one {@code long} for every key, strictly increasing, never
 * handing out a value twice, not even across restarts or power losses. Coverage is a {@code >=}
 * test per node, so a counter that only grows across all of a node's keys is as good as one per key
 * (a key just sees gaps), and it needs no storage read on the write path (docs/decisions/0004).
 *
 * <p>It is kept by leases. {@link Keyspace#META} holds a high-water mark: every counter this node
 * may have used is at most the mark. Counters up to the stored mark are handed out from memory. The
 * write that uses the first counter above it carries a new mark (the counter plus a block) in its own
 * batch, so the mark is never less durable than a dot that depends on it, and that batch is marked
 * {@link WriteBatch#requireSync() sync}, so a power loss cannot take the mark back either (with
 * {@code storage.sync=false} it costs one fsync per block of writes). Writers above the stored mark
 * wait for the writer of the new mark; once the lease runs low (half a block left) one writer
 * extends it early and the others go on, so writers rarely wait. On open the counter starts at the
 * stored mark: everything below it may have been used.
 *
 * <p>Thread-safe. A node has exactly one counter over its storage: two {@code DotCounter}s
 * coordinating on one engine would hand out the same counters.
 */
public final class DotCounter {
  /**
   * Counters never come closer than this to {@link Long#MAX_VALUE}, so that no arithmetic on them
   * (a lease block added, a counter plus one) can overflow.
   */
  public static final long HEADROOM = 1L << 32;

  /** The highest counter ever issued. */
  public static final long MAX_COUNTER = Long.MAX_VALUE - HEADROOM;

  /** Counters leased per mark write. */
  public static final long DEFAULT_LEASE_BLOCK = 1L << 16;

  /** The {@link Keyspace#META} key of the high-water mark: a big-endian {@code long}. */
  static final byte[] MARK_KEY = "dot-counter-lease".getBytes(StandardCharsets.US_ASCII);

  /**
   * The {@link Keyspace#META} prefix of the per-key counter rows that earlier versions kept (the
   * data key follows; the value is a big-endian {@code long}). Read once on open, then deleted:
   * no other META key may start with it.
   */
  static final byte LEGACY_PREFIX = 'c';

  private static final int LEGACY_DELETE_CHUNK = 4096;

  /**
   * The {@link Keyspace#META} key of the node's epoch: UTF-8, chosen when the node first wrote to
   * this data directory. Dots of this directory's incarnation of the node are made by the actor
   * {@code <node id>~<epoch>}, so a node whose data was lost (a wiped directory, a replaced disk)
   * starts a new actor and can never reissue a dot its earlier incarnation made, even though its
   * counter starts again from zero.
   */
  static final byte[] EPOCH_KEY = "node-epoch".getBytes(StandardCharsets.US_ASCII);

  private final long block;
  /** "" for a directory from before epochs (its dots are made by the plain node id). */
  private final String epoch;
  /** The highest counter handed out. */
  private final AtomicLong issued;
  /** The highest mark known to be stored; counters up to it need no new mark. */
  private volatile long storedMark;
  /** Held by the one writer of a new mark, from before the counter is handed out until written. */
  private final ReentrantLock leaseWriter = new ReentrantLock();

  private DotCounter(long start, long block, String epoch) {
    this.block = block;
    this.epoch = epoch;
    this.issued = new AtomicLong(start);
    this.storedMark = start;
  }

  /**
   * The node's counter over {@code engine}: starts at the stored mark, or above every per-key
   * counter row of an older data directory (which it then replaces by a mark and deletes).
   *
   * @param leaseBlock how many counters one mark write leases, at least 1
   */
  public static DotCounter open(StorageEngine engine, long leaseBlock) {
    return open(engine, leaseBlock, null);
  }

  /**
   * As {@link #open(StorageEngine, long)}, with epochs: a directory that has no epoch and no
   * counter mark yet (a new or wiped one) gets a new epoch from {@code newEpoch}, stored durably
   * before any dot is made. A directory with a mark but no epoch (written before epochs) keeps
   * making dots as the plain node id.
   *
   * @param newEpoch random bits for a new epoch; null: no epochs (dots as the plain node id)
   */
  public static DotCounter open(StorageEngine engine, long leaseBlock, LongSupplier newEpoch) {
    if (leaseBlock < 1) {
      throw new IllegalArgumentException("lease block must be at least 1: " + leaseBlock);
    }
    byte[] stored = engine.get(Keyspace.META, MARK_KEY);
    long mark = stored == null ? 0 : decodeCounter(stored, "dot counter mark");
    long legacy = migrateLegacyRows(engine, mark);
    byte[] storedEpoch = engine.get(Keyspace.META, EPOCH_KEY);
    String epoch = storedEpoch == null ? "" : new String(storedEpoch, StandardCharsets.UTF_8);
    if (storedEpoch == null && newEpoch != null && stored == null && legacy == 0) {
      // 40 random bits in base 32: 8 characters; a repeat between two incarnations of one node
      // would need a one-in-a-trillion draw.
      epoch = Long.toString((newEpoch.getAsLong() & ((1L << 40) - 1)) | (1L << 40), 32).substring(1);
      engine.write(
          new WriteBatch()
              .put(Keyspace.META, EPOCH_KEY, epoch.getBytes(StandardCharsets.UTF_8))
              .requireSync());
    }
    return new DotCounter(Math.max(mark, legacy), leaseBlock, epoch);
  }

  /** This directory's epoch; "" when it has none (dots are made by the plain node id). */
  public String epoch() {
    return epoch;
  }

  /** The actor whose dots node {@code self} makes over this directory. */
  public NodeId actor(NodeId self) {
    return epoch.isEmpty() ? self : NodeId.of(self.value() + "~" + epoch);
  }

  /**
   * Hands out the next counter: above every counter handed out before and above {@code floor} (the
   * highest counter of this node that the key's stored versions or the writer's context carry).
   * The caller adds the ticket to the batch that uses the counter, writes it, calls {@link
   * Ticket#written()} and closes the ticket, on this thread.
   *
   * @throws StorageException if the counter would come within {@link #HEADROOM} of {@link
   *     Long#MAX_VALUE}; the counter is left as it was
   */
  public Ticket issue(long floor) {
    if (floor < 0) {
      throw new IllegalArgumentException("negative floor: " + floor);
    }
    if (floor >= MAX_COUNTER) {
      // Clients cannot name such a floor (ContextLimits); only a forged record could. Refusing it
      // keeps the counter where it was, so every other key of this node stays writable.
      throw new StorageException(
          "refusing to move the dot counter to " + floor + ", past its limit " + MAX_COUNTER);
    }
    long counter;
    try {
      counter = issued.accumulateAndGet(floor, (current, f) -> next(Math.max(current, f)));
    } catch (ArithmeticException e) {
      throw new StorageException("the dot counter is exhausted: it cannot pass " + MAX_COUNTER);
    }
    long mark = storedMark;
    if (counter <= mark - block / 2) {
      return new Ticket(counter, 0, false);
    }
    if (counter <= mark) {
      // Covered by the stored mark, but the lease runs low: extend it now unless someone else is.
      if (!leaseWriter.tryLock()) {
        return new Ticket(counter, 0, false);
      }
    } else {
      // Not covered: this counter must not reach storage before a mark at least as high does.
      leaseWriter.lock();
    }
    if (counter <= storedMark - block / 2) {
      leaseWriter.unlock();
      return new Ticket(counter, 0, false);
    }
    long high = Math.max(counter, issued.get());
    long newMark = high > MAX_COUNTER - block ? MAX_COUNTER : high + block;
    return new Ticket(counter, newMark, true);
  }

  /** The counter after {@code current}, never past {@link #MAX_COUNTER}. */
  private static long next(long current) {
    if (current >= MAX_COUNTER) {
      throw new ArithmeticException("dot counter exhausted");
    }
    return current + 1;
  }

  /** The highest counter handed out so far. */
  public long lastIssued() {
    return issued.get();
  }

  /** The highest mark known to be stored. */
  public long storedMark() {
    return storedMark;
  }

  /**
   * One counter handed out, with the new mark its batch must carry if it extends the lease. Close it
   * on the thread that issued it, whether or not the write succeeded.
   */
  public final class Ticket implements AutoCloseable {
    private final long counter;
    private final long newMark;
    private boolean holdsLease;

    private Ticket(long counter, long newMark, boolean holdsLease) {
      this.counter = counter;
      this.newMark = newMark;
      this.holdsLease = holdsLease;
    }

    public long counter() {
      return counter;
    }

    /** Whether the batch that uses this counter also writes a new mark. */
    public boolean extendsLease() {
      return newMark != 0;
    }

    /**
     * Adds the new mark, if this ticket extends the lease, to the batch that uses the counter and
     * marks that batch sync. Returns the batch.
     */
    public WriteBatch addTo(WriteBatch batch) {
      if (newMark != 0) {
        batch.put(Keyspace.META, MARK_KEY, encodeCounter(newMark)).requireSync();
      }
      return batch;
    }

    /** The batch that carried this ticket was written: its mark (if any) is now stored. */
    public void written() {
      if (newMark != 0 && newMark > storedMark) {
        storedMark = newMark; // only the lease writer gets here, so no update is lost
      }
    }

    /** Lets the next lease writer in, if this ticket held the turn. */
    @Override
    public void close() {
      if (holdsLease) {
        holdsLease = false;
        leaseWriter.unlock();
      }
    }
  }

  /**
   * Counter rows of an older data directory: returns the highest, and when there are any, stores a
   * mark at least that high (durably) and then deletes them, so later opens find none.
   */
  private static long migrateLegacyRows(StorageEngine engine, long mark) {
    byte[] from = {LEGACY_PREFIX};
    byte[] to = {LEGACY_PREFIX + 1};
    long[] highest = {0};
    boolean[] any = {false};
    engine.scan(
        Keyspace.META,
        from,
        to,
        (k, v) -> {
          any[0] = true;
          highest[0] = Math.max(highest[0], decodeCounter(v, "per-key dot counter"));
          return true;
        });
    if (!any[0]) {
      return 0;
    }
    if (highest[0] > mark) {
      engine.write(
          new WriteBatch().put(Keyspace.META, MARK_KEY, encodeCounter(highest[0])).requireSync());
    }
    // The mark now covers every row: delete them in chunks, each scan starting after the last key.
    byte[] next = from;
    while (true) {
      List<byte[]> chunk = new ArrayList<>();
      engine.scan(
          Keyspace.META,
          next,
          to,
          (k, v) -> {
            chunk.add(k);
            return chunk.size() < LEGACY_DELETE_CHUNK;
          });
      if (chunk.isEmpty()) {
        return highest[0];
      }
      WriteBatch deletes = new WriteBatch();
      for (byte[] k : chunk) {
        deletes.delete(Keyspace.META, k);
      }
      engine.write(deletes);
      byte[] last = chunk.get(chunk.size() - 1);
      next = Arrays.copyOf(last, last.length + 1); // the smallest key after the last one
    }
  }

  static byte[] encodeCounter(long counter) {
    byte[] out = new byte[Long.BYTES];
    long v = counter;
    for (int i = Long.BYTES - 1; i >= 0; i--) {
      out[i] = (byte) v;
      v >>>= 8;
    }
    return out;
  }

  static long decodeCounter(byte[] bytes, String what) {
    if (bytes.length != Long.BYTES) {
      throw new StorageException("corrupt " + what + ": " + bytes.length + " bytes");
    }
    long v = 0;
    for (byte b : bytes) {
      v = (v << 8) | (b & 0xff);
    }
    if (v < 0) {
      throw new StorageException("corrupt " + what + ": " + v);
    }
    return v;
  }
}

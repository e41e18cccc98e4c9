package io.dynamo.server.storage;

import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.storage.StorageException;
import io.dynamo.core.storage.StorageSnapshot;
import io.dynamo.core.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.HistogramType;
import org.rocksdb.LRUCache;
import org.rocksdb.Range;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksObject;
import org.rocksdb.SizeApproximationFlag;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.Statistics;
import org.rocksdb.StatsLevel;
import org.rocksdb.TickerType;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage engine on RocksDB: one column family per key space, each tuned for how it is used
 * (docs/storage.md), one LRU block cache shared by all, the write-ahead log always on. With {@code
 * sync} the WAL is fsynced before a write returns (survives power loss); without it a returned write
 * is in the OS page cache (survives a process crash, not a power loss), except batches that {@link
 * WriteBatch#requireSync() require sync}.
 *
 * <p>Thread-safe, and nothing here serializes writers: concurrent {@link #write} calls go straight
 * to RocksDB, which commits them in groups, one WAL write (and with {@code sync} one fsync) per
 * group. So with {@code sync} the fsync cost is shared by every writer waiting at that moment.
 *
 * <p>Without {@code sync}, a thread that runs many small writes in a row (a protocol shard's event
 * loop) can share one WAL write among them instead: between {@link #openGroup} and {@link
 * #closeGroup} its writes leave their log records in RocksDB's buffer ({@code manual_wal_flush}),
 * readable at once but not yet in the OS, and the caller calls {@link #flushWal} before anything
 * that depends on them leaves the node. Every other write flushes the buffer itself before it
 * returns, so outside a group nothing changes.
 */
public final class RocksDbStorageEngine implements StorageEngine, WalGroups {
  private static final Logger log = LoggerFactory.getLogger(RocksDbStorageEngine.class);

  /** Bits per key of the data bloom filter: about 1% false positives. */
  static final int BLOOM_BITS_PER_KEY = 10;
  /** Memtable bloom of the data column family, as a fraction of its write buffer. */
  static final double MEMTABLE_BLOOM_RATIO = 0.02;
  /** Write buffers of the small column families (hints, meta, default). */
  static final long HINTS_WRITE_BUFFER_BYTES = 16L << 20;
  static final long SMALL_WRITE_BUFFER_BYTES = 1L << 20;
  /** Hints are read by scans: larger blocks, fewer index entries. */
  static final long HINTS_BLOCK_SIZE = 16L << 10;
  /** Background SST writes are synced every this many bytes, not all at once at the end. */
  static final long BYTES_PER_SYNC = 1L << 20;

  static {
    RocksDB.loadLibrary();
  }

  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle[] families = new ColumnFamilyHandle[Keyspace.values().length];
  private final WriteOptions writeOptions;
  /** WAL records wait in RocksDB's buffer until {@link #flushWal} (no sync, WAL on). */
  private final boolean manualFlush;
  private final ThreadLocal<Group> groups = ThreadLocal.withInitial(Group::new);
  private final boolean wal;
  private final Statistics statistics;
  /**
   * Held while metrics read the statistics or properties, and by {@link #close} while it marks the
   * engine closed: a read after the native objects are freed would crash the process.
   */
  private final Object metricsLock = new Object();
  private boolean metricsClosed;
  /** Options, filters and the cache: closed after the database, in reverse order of creation. */
  private final List<RocksObject> natives;
  /** Snapshots handed out and not yet released; also the lock for {@link #closed}. */
  private final Set<RocksSnapshot> openSnapshots = new HashSet<>();
  private boolean closed;

  private RocksDbStorageEngine(
      RocksDB db,
      List<ColumnFamilyHandle> handles,
      WriteOptions writeOptions,
      boolean wal,
      boolean manualFlush,
      Statistics statistics,
      List<RocksObject> natives) {
    this.db = db;
    this.statistics = statistics;
    this.handles = handles;
    this.writeOptions = writeOptions;
    this.wal = wal;
    this.manualFlush = manualFlush;
    this.natives = natives;
    Keyspace[] spaces = Keyspace.values();
    for (int i = 0; i < spaces.length; i++) {
      families[spaces[i].ordinal()] = handles.get(i + 1);
    }
  }

  public static RocksDbStorageEngine open(Path dir, boolean sync) {
    return open(dir, sync, true);
  }

  /** With {@code wal} false writes skip the log: a crash loses what was not flushed. Unsafe. */
  public static RocksDbStorageEngine open(Path dir, boolean sync, boolean wal) {
    return open(dir, sync, wal, RocksDbTuning.defaults());
  }

  /**
   * Opens (creating if needed) the database in {@code dir}.
   *
   * @param sync fsync the WAL before each write returns
   * @param wal write the WAL at all (false is unsafe, for tests)
   * @param tuning cache and buffer sizes
   */
  public static RocksDbStorageEngine open(Path dir, boolean sync, boolean wal, RocksDbTuning tuning) {
    if (sync && !wal) {
      throw new IllegalArgumentException("sync needs the write-ahead log");
    }
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new StorageException("cannot create data directory " + dir, e);
    }
    List<RocksObject> natives = new ArrayList<>();
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    boolean manualFlush = wal && !sync;
    try {
      LRUCache cache = keep(natives, new LRUCache(tuning.blockCacheBytes()));
      // Only tickers are read (docs/metrics.md). Histograms are switched off (each timed
      // operation would read the clock twice for them), and EXCEPT_DETAILED_TIMERS skips the
      // detailed timers: what is left is a counter add per ticker event.
      EnumSet<HistogramType> noHistograms = EnumSet.allOf(HistogramType.class);
      noHistograms.remove(HistogramType.HISTOGRAM_ENUM_MAX);
      Statistics statistics = keep(natives, new Statistics(noHistograms));
      statistics.setStatsLevel(StatsLevel.EXCEPT_DETAILED_TIMERS);
      DBOptions dbOptions =
          keep(natives, new DBOptions())
              .setCreateIfMissing(true)
              .setCreateMissingColumnFamilies(true)
              .setParanoidChecks(true)
              .setMaxBackgroundJobs(tuning.backgroundJobs())
              .setBytesPerSync(BYTES_PER_SYNC)
              .setStatistics(statistics)
              // One WAL write for many records (see openGroup); with sync every write syncs.
              .setManualWalFlush(manualFlush)
              // A log file is deleted only once every column family with records in it has
              // flushed them, and meta, written a few times an hour, fills its memtable in days:
              // under RocksDB's default bound (4 times all write buffers, about 656 MiB) a node held
              // 443 MB of log after a 100,000-key load and 40 s of load generator, all of it
              // replayed on a restart after a crash (114 MB with this bound). Past this size RocksDB flushes whichever
              // column families hold the oldest log.
              .setMaxTotalWalSize(tuning.maxTotalWalBytes());
      ColumnFamilyOptions small = smallOptions(natives, cache);
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, small));
      for (Keyspace s : Keyspace.values()) {
        ColumnFamilyOptions options =
            switch (s) {
              case DATA -> dataOptions(natives, cache, tuning);
              case HINTS -> hintsOptions(natives, cache);
              case META -> small;
            };
        descriptors.add(new ColumnFamilyDescriptor(familyName(s), options));
      }
      WriteOptions writeOptions = keep(natives, new WriteOptions()).setSync(sync).setDisableWAL(!wal);
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      if (wal) {
        log.info(
            "opened RocksDB at {} (sync={}, block cache {} MiB, data write buffer {} MiB)",
            dir, sync, tuning.blockCacheBytes() >> 20, tuning.writeBufferBytes() >> 20);
      } else {
        log.warn("opened RocksDB at {} WITHOUT a write-ahead log: a crash loses acknowledged writes", dir);
      }
      return new RocksDbStorageEngine(
          db, handles, writeOptions, wal, manualFlush, statistics, natives);
    } catch (RocksDBException | RuntimeException e) {
      for (ColumnFamilyHandle h : handles) {
        h.close();
      }
      closeAll(natives);
      if (e instanceof RocksDBException) {
        throw new StorageException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Sibling sets, read by key on every write and read: a whole-key bloom filter (and one on the
   * memtable) so a missing key costs no data block read, index and filter blocks in the shared cache
   * with those of L0 pinned, LZ4. No prefix-only tuning: partitions will be scanned by prefix.
   */
  private static ColumnFamilyOptions dataOptions(
      List<RocksObject> natives, LRUCache cache, RocksDbTuning tuning) {
    BloomFilter bloom = keep(natives, new BloomFilter(BLOOM_BITS_PER_KEY, false));
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(cache)
            .setFilterPolicy(bloom)
            .setWholeKeyFiltering(true)
            .setCacheIndexAndFilterBlocks(true)
            .setCacheIndexAndFilterBlocksWithHighPriority(true)
            .setPinL0FilterAndIndexBlocksInCache(true);
    return keep(natives, new ColumnFamilyOptions())
        .setTableFormatConfig(table)
        .setWriteBufferSize(tuning.writeBufferBytes())
        .setMaxWriteBufferNumber(2)
        .setMemtableWholeKeyFiltering(true)
        .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true);
  }

  /** Hints, read by scanning one target's range: no filter (scans do not use it), larger blocks. */
  private static ColumnFamilyOptions hintsOptions(List<RocksObject> natives, LRUCache cache) {
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(cache)
            .setBlockSize(HINTS_BLOCK_SIZE)
            .setCacheIndexAndFilterBlocks(true);
    return keep(natives, new ColumnFamilyOptions())
        .setTableFormatConfig(table)
        .setWriteBufferSize(HINTS_WRITE_BUFFER_BYTES)
        .setMaxWriteBufferNumber(2)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true);
  }

  /** Meta (a handful of keys) and the unused default column family: small buffers. */
  private static ColumnFamilyOptions smallOptions(List<RocksObject> natives, LRUCache cache) {
    BlockBasedTableConfig table =
        new BlockBasedTableConfig().setBlockCache(cache).setCacheIndexAndFilterBlocks(true);
    return keep(natives, new ColumnFamilyOptions())
        .setTableFormatConfig(table)
        .setWriteBufferSize(SMALL_WRITE_BUFFER_BYTES)
        .setMaxWriteBufferNumber(2)
        .setCompressionType(CompressionType.NO_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true);
  }

  static byte[] familyName(Keyspace space) {
    return space.name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
  }

  private static <T extends RocksObject> T keep(List<RocksObject> natives, T object) {
    natives.add(object);
    return object;
  }

  @Override
  public byte[] get(Keyspace space, byte[] key) {
    try {
      return db.get(families[space.ordinal()], key);
    } catch (RocksDBException e) {
      throw new StorageException("read failed: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the batch. Not synchronized: see the class comment. A batch of one op goes to RocksDB
   * without a native batch object.
   */
  @Override
  public void write(WriteBatch batch) {
    // One set of options for every batch. One that must be synced: with sync every write is;
    // without, the log is flushed by hand and afterWrite syncs it; without a log (unsafe, for
    // tests) nothing can be.
    boolean sync = batch.syncRequired();
    List<WriteBatch.Op> ops = batch.ops();
    try {
      if (ops.isEmpty()) {
        if (sync && wal) {
          syncWal();
        }
        return;
      }
      if (ops.size() == 1) {
        WriteBatch.Op op = ops.get(0);
        if (op.value() == null) {
          db.delete(families[op.space().ordinal()], writeOptions, op.key());
        } else {
          db.put(families[op.space().ordinal()], writeOptions, op.key(), op.value());
        }
      } else {
        try (org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch()) {
          for (WriteBatch.Op op : ops) {
            ColumnFamilyHandle cf = families[op.space().ordinal()];
            if (op.value() == null) {
              wb.delete(cf, op.key());
            } else {
              wb.put(cf, op.key(), op.value());
            }
          }
          db.write(writeOptions, wb);
        }
      }
      afterWrite(sync);
    } catch (RocksDBException e) {
      throw new StorageException("write failed: " + e.getMessage(), e);
    }
  }

  /** Makes a write as durable as {@link #write} promises, or leaves that to the thread's group. */
  private void afterWrite(boolean sync) throws RocksDBException {
    if (!manualFlush) {
      return;
    }
    if (sync) {
      db.flushWal(true);
      return;
    }
    Group group = groups.get();
    if (group.open) {
      group.unflushed = true;
    } else {
      db.flushWal(false);
    }
  }

  private void syncWal() throws RocksDBException {
    if (manualFlush) {
      db.flushWal(true); // SyncWAL alone would leave RocksDB's buffer unwritten
    } else {
      db.syncWal();
    }
  }

  /**
   * Until {@link #closeGroup}, writes on this thread leave their WAL records in RocksDB's buffer
   * (when the engine flushes the WAL by hand; else this changes nothing). Reads see them at once;
   * a crash before {@link #flushWal} loses them, so nothing that depends on them may leave the
   * node until it has returned. Groups do not nest.
   */
  @Override
  public void openGroup() {
    if (manualFlush) {
      groups.get().open = true;
    }
  }

  /** Ends this thread's group: true if a write in it still waits for {@link #flushWal}. */
  @Override
  public boolean closeGroup() {
    if (!manualFlush) {
      return false;
    }
    Group group = groups.get();
    boolean unflushed = group.unflushed;
    group.open = false;
    group.unflushed = false;
    return unflushed;
  }

  /**
   * Hands every WAL record still in RocksDB's buffer (any thread's) to the OS in one write: from
   * then on the writes survive a crash of this process, as a {@link #write} outside a group does.
   */
  @Override
  public void flushWal() {
    if (!manualFlush) {
      return;
    }
    try {
      db.flushWal(false);
    } catch (RocksDBException e) {
      throw new StorageException("WAL flush failed: " + e.getMessage(), e);
    }
  }

  /** A thread's group: whether it is open, and whether a write in it has not been flushed. */
  private static final class Group {
    boolean open;
    boolean unflushed;
  }

  @Override
  public void scan(Keyspace space, byte[] fromInclusive, byte[] toExclusive, Visitor visitor) {
    try (Slice upper = new Slice(toExclusive);
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(families[space.ordinal()], ro)) {
      for (it.seek(fromInclusive); it.isValid(); it.next()) {
        if (!visitor.visit(it.key(), it.value())) {
          return;
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StorageException("scan failed: " + e.getMessage(), e);
    }
  }

  /**
   * A RocksDB snapshot: scans through it read the database as of this call, with their own
   * iterators. Released on {@link StorageSnapshot#close()} or, at the latest, when the engine
   * closes.
   */
  @Override
  public StorageSnapshot snapshot() {
    synchronized (openSnapshots) {
      if (closed) {
        throw new StorageException("engine closed");
      }
      RocksSnapshot s = new RocksSnapshot(db.getSnapshot());
      openSnapshots.add(s);
      return s;
    }
  }

  /** Snapshots not yet released, for tests and diagnostics. */
  public int openSnapshots() {
    synchronized (openSnapshots) {
      return openSnapshots.size();
    }
  }

  /** A native range delete (one tombstone for the whole range), through the WAL like any write. */
  @Override
  public void deleteRange(Keyspace space, byte[] fromInclusive, byte[] toExclusive) {
    try {
      db.deleteRange(families[space.ordinal()], writeOptions, fromInclusive, toExclusive);
      afterWrite(false);
    } catch (RocksDBException e) {
      throw new StorageException("range delete failed: " + e.getMessage(), e);
    }
  }

  /** RocksDB's estimate from SST file sizes (compressed) and memtables. */
  @Override
  public long approximateBytes(Keyspace space, byte[] fromInclusive, byte[] toExclusive) {
    try (Slice from = new Slice(fromInclusive);
        Slice to = new Slice(toExclusive)) {
      long[] sizes = db.getApproximateSizes(
          families[space.ordinal()],
          List.of(new Range(from, to)),
          SizeApproximationFlag.INCLUDE_FILES,
          SizeApproximationFlag.INCLUDE_MEMTABLES);
      return sizes.length == 0 ? 0 : sizes[0];
    }
  }

  /**
   * Scans hold the read lock, close the write lock, so a snapshot is never released under a
   * running iterator.
   */
  private final class RocksSnapshot implements StorageSnapshot {
    private final Snapshot snapshot;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean released;

    RocksSnapshot(Snapshot snapshot) {
      this.snapshot = snapshot;
    }

    @Override
    public void scan(Keyspace space, byte[] fromInclusive, byte[] toExclusive, Visitor visitor) {
      lock.readLock().lock();
      try {
        if (released) {
          throw new StorageException("snapshot already closed");
        }
        try (Slice upper = new Slice(toExclusive);
            ReadOptions ro = new ReadOptions().setIterateUpperBound(upper).setSnapshot(snapshot);
            RocksIterator it = db.newIterator(families[space.ordinal()], ro)) {
          for (it.seek(fromInclusive); it.isValid(); it.next()) {
            if (!visitor.visit(it.key(), it.value())) {
              return;
            }
          }
          it.status();
        } catch (RocksDBException e) {
          throw new StorageException("snapshot scan failed: " + e.getMessage(), e);
        }
      } finally {
        lock.readLock().unlock();
      }
    }

    @Override
    public void close() {
      synchronized (openSnapshots) {
        if (!openSnapshots.remove(this)) {
          return; // already released (by close or by the engine's close)
        }
        release();
      }
    }

    /** Called with {@code openSnapshots} held, once. */
    void release() {
      lock.writeLock().lock();
      try {
        released = true;
        db.releaseSnapshot(snapshot);
        snapshot.close();
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /** A RocksDB property of a key space's column family, such as {@code rocksdb.estimate-num-keys}. */
  public String property(Keyspace space, String name) {
    try {
      return db.getProperty(families[space.ordinal()], name);
    } catch (RocksDBException e) {
      throw new StorageException("property " + name + " failed: " + e.getMessage(), e);
    }
  }

  /** A statistics ticker: a count since the database was opened; -1 once it is closed. */
  public long ticker(TickerType ticker) {
    synchronized (metricsLock) {
      return metricsClosed ? -1 : statistics.getTickerCount(ticker);
    }
  }

  /**
   * An integer property of the database, such as {@code rocksdb.num-running-compactions}: of
   * {@code space}'s column family, or summed over every column family when {@code space} is null;
   * -1 once closed or when RocksDB does not know it.
   */
  public long longProperty(Keyspace space, String name) {
    synchronized (metricsLock) {
      if (metricsClosed) {
        return -1;
      }
      try {
        return space == null
            ? db.getAggregatedLongProperty(name)
            : db.getLongProperty(families[space.ordinal()], name);
      } catch (RocksDBException e) {
        return -1;
      }
    }
  }

  @Override
  public void close() {
    synchronized (metricsLock) {
      metricsClosed = true;
    }
    synchronized (openSnapshots) {
      closed = true;
      if (!openSnapshots.isEmpty()) {
        log.warn("{} snapshots still open at close; releasing them", openSnapshots.size());
      }
      for (RocksSnapshot s : openSnapshots) {
        s.release();
      }
      openSnapshots.clear();
    }
    if (wal) {
      try {
        syncWal();
      } catch (RocksDBException e) {
        log.warn("WAL sync on close failed: {}", e.getMessage());
      }
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    closeAll(natives);
  }

  private static void closeAll(List<RocksObject> natives) {
    for (int i = natives.size() - 1; i >= 0; i--) {
      natives.get(i).close();
    }
  }
}

package io.dynamo.server.storage;

import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.storage.StorageException;
import io.dynamo.core.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage engine on RocksDB: one column family per key space, the write-ahead log always on.
 * With {@code sync} the WAL is fsynced before a write returns (survives power loss); without it a
 * returned write is in the OS page cache (survives a process crash, not a power loss).
 */
public final class RocksDbStorageEngine implements StorageEngine {
  private static final Logger log = LoggerFactory.getLogger(RocksDbStorageEngine.class);

  static {
    RocksDB.loadLibrary();
  }

  private final RocksDB db;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final WriteOptions writeOptions;
  private final List<ColumnFamilyHandle> handles;
  private final Map<Keyspace, ColumnFamilyHandle> families = new EnumMap<>(Keyspace.class);

  private RocksDbStorageEngine(
      RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions, WriteOptions writeOptions,
      List<ColumnFamilyHandle> handles) {
    this.db = db;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.writeOptions = writeOptions;
    this.handles = handles;
    Keyspace[] spaces = Keyspace.values();
    for (int i = 0; i < spaces.length; i++) {
      families.put(spaces[i], handles.get(i + 1));
    }
  }

  public static RocksDbStorageEngine open(Path dir, boolean sync) {
    return open(dir, sync, true);
  }

  /** With {@code wal} false writes skip the log: a crash loses what was not flushed. Unsafe. */
  public static RocksDbStorageEngine open(Path dir, boolean sync, boolean wal) {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new StorageException("cannot create data directory " + dir, e);
    }
    DBOptions dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setParanoidChecks(true);
    ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (Keyspace s : Keyspace.values()) {
      descriptors.add(
          new ColumnFamilyDescriptor(
              s.name().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8),
              cfOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      WriteOptions writeOptions = new WriteOptions().setSync(sync).setDisableWAL(!wal);
      if (wal) {
        log.info("opened RocksDB at {} (sync={})", dir, sync);
      } else {
        log.warn("opened RocksDB at {} WITHOUT a write-ahead log: a crash loses acknowledged writes", dir);
      }
      return new RocksDbStorageEngine(db, dbOptions, cfOptions, writeOptions, handles);
    } catch (RocksDBException e) {
      dbOptions.close();
      cfOptions.close();
      throw new StorageException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] get(Keyspace space, byte[] key) {
    try {
      return db.get(families.get(space), key);
    } catch (RocksDBException e) {
      throw new StorageException("read failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void write(WriteBatch batch) {
    try (org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch()) {
      for (WriteBatch.Op op : batch.ops()) {
        ColumnFamilyHandle cf = families.get(op.space());
        if (op.value() == null) {
          wb.delete(cf, op.key());
        } else {
          wb.put(cf, op.key(), op.value());
        }
      }
      db.write(writeOptions, wb);
    } catch (RocksDBException e) {
      throw new StorageException("write failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void scan(Keyspace space, byte[] fromInclusive, byte[] toExclusive, Visitor visitor) {
    try (Slice upper = new Slice(toExclusive);
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(families.get(space), ro)) {
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

  @Override
  public void close() {
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      log.warn("WAL sync on close failed: {}", e.getMessage());
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    writeOptions.close();
    cfOptions.close();
    dbOptions.close();
  }
}

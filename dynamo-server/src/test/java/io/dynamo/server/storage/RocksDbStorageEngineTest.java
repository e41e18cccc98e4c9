package io.dynamo.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.storage.WriteBatch;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.VectorClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbStorageEngineTest {
  static final RocksDbTuning SMALL = RocksDbTuning.of(8L << 20, 1L << 20);

  @TempDir Path dir;
  ExecutorService pool;

  @AfterEach
  void shutdown() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  static byte[] dataKey(int partition, int i) {
    return new DataKey(partition, "b", ("key-" + i).getBytes(StandardCharsets.UTF_8)).encode();
  }

  static byte[] value(int i) {
    return ("value-" + i + "-" + "x".repeat(i % 200)).getBytes(StandardCharsets.UTF_8);
  }

  static List<byte[]> scanKeys(RocksDbStorageEngine engine, Keyspace space, byte[] from, byte[] to) {
    List<byte[]> keys = new ArrayList<>();
    engine.scan(space, from, to, (k, v) -> keys.add(k));
    return keys;
  }

  /**
   * A write to meta pins the log file it went to until meta flushes, which on its own it does not
   * for days: without a bound on the live log, every later file would be kept (and replayed after a
   * crash) too.
   */
  @Test
  void aRarelyWrittenColumnFamilyDoesNotKeepTheLogGrowing() throws IOException {
    try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, false, true, SMALL)) {
      engine.write(new WriteBatch().put(Keyspace.META, new byte[] {'m'}, new byte[] {7}));
      byte[] value = new byte[1024];
      for (int i = 0; i < 40_000; i++) { // about 40 MiB, 10 times the bound of the SMALL tuning
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(value);
        engine.write(new WriteBatch().put(Keyspace.DATA, dataKey(i % 8, i), value.clone()));
      }
      long logBytes;
      try (Stream<Path> files = Files.list(dir)) {
        logBytes =
            files.filter(f -> f.getFileName().toString().endsWith(".log"))
                .mapToLong(f -> f.toFile().length())
                .sum();
      }
      // The bound is checked when a memtable switches, so the log may pass it by one memtable.
      assertThat(logBytes).isLessThan(SMALL.maxTotalWalBytes() + 3 * SMALL.writeBufferBytes());
      assertThat(engine.get(Keyspace.META, new byte[] {'m'})).containsExactly(7);
    }
  }

  @Test
  void writesReadsAndScansSurviveAReopenWithTheTunedOptions() {
    int perPartition = 3_000;
    try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, false, true, SMALL)) {
      for (int p = 0; p < 3; p++) {
        for (int i = 0; i < perPartition; i += 2) {
          // Batches of two ops and single ops take different paths.
          engine.write(
              new WriteBatch()
                  .put(Keyspace.DATA, dataKey(p, i), value(i))
                  .put(Keyspace.DATA, dataKey(p, i + 1), value(i + 1)));
        }
      }
      engine.write(new WriteBatch().put(Keyspace.HINTS, new byte[] {1, 'n', 0}, new byte[] {9}));
      engine.write(new WriteBatch().put(Keyspace.META, new byte[] {'m'}, new byte[] {7}).requireSync());
      engine.write(new WriteBatch().delete(Keyspace.DATA, dataKey(1, 5)));
    }
    try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, true, true, SMALL)) {
      // Recovery flushed what the log held: the reads below go to SST files (bloom, LZ4 blocks).
      assertThat(Long.parseLong(engine.property(Keyspace.DATA, "rocksdb.total-sst-files-size")))
          .isPositive();
      assertThat(engine.get(Keyspace.DATA, dataKey(2, 17))).isEqualTo(value(17));
      assertThat(engine.get(Keyspace.DATA, dataKey(0, perPartition - 1))).isEqualTo(value(perPartition - 1));
      assertThat(engine.get(Keyspace.DATA, dataKey(1, 5))).isNull();
      assertThat(engine.get(Keyspace.DATA, dataKey(7, 1))).isNull();
      assertThat(engine.get(Keyspace.HINTS, new byte[] {1, 'n', 0})).containsExactly(9);
      assertThat(engine.get(Keyspace.META, new byte[] {'m'})).containsExactly(7);
      // Key spaces are separate.
      assertThat(engine.get(Keyspace.META, dataKey(2, 17))).isNull();

      // One partition is one contiguous range.
      List<byte[]> p1 = scanKeys(engine, Keyspace.DATA, DataKey.partitionStart(1), DataKey.partitionStart(2));
      assertThat(p1).hasSize(perPartition - 1);
      assertThat(p1).allSatisfy(k -> assertThat(DataKey.decode(k).partition()).isEqualTo(1));
      for (int i = 1; i < p1.size(); i++) {
        assertThat(java.util.Arrays.compareUnsigned(p1.get(i - 1), p1.get(i))).isNegative();
      }
      // A visitor that stops early stops the scan.
      List<byte[]> firstTen = new ArrayList<>();
      engine.scan(Keyspace.DATA, DataKey.partitionStart(0), DataKey.partitionStart(3),
          (k, v) -> firstTen.add(k) && firstTen.size() < 10);
      assertThat(firstTen).hasSize(10);
      assertThat(Long.parseLong(engine.property(Keyspace.DATA, "rocksdb.estimate-num-keys")))
          .isGreaterThan(perPartition);
    }
  }

  @Test
  void eachColumnFamilyIsOpenedWithItsOwnOptions() throws IOException {
    try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, false, true, SMALL)) {
      engine.write(new WriteBatch().put(Keyspace.DATA, dataKey(0, 1), value(1)));
    }
    // RocksDB writes the options it runs with to an OPTIONS file, one section per column family.
    Path options;
    try (Stream<Path> files = Files.list(dir)) {
      options =
          files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-")).max(Path::compareTo).orElseThrow();
    }
    String text = Files.readString(options);
    String data = section(text, "CFOptions \"data\"");
    String dataTable = section(text, "TableOptions/BlockBasedTable \"data\"");
    String hintsTable = section(text, "TableOptions/BlockBasedTable \"hints\"");
    String meta = section(text, "CFOptions \"meta\"");
    assertThat(data).contains("compression=kLZ4Compression").contains("write_buffer_size=1048576")
        .contains("memtable_whole_key_filtering=true").contains("level_compaction_dynamic_level_bytes=true");
    assertThat(dataTable).containsPattern("filter_policy=.*bloomfilter.*10")
        .contains("cache_index_and_filter_blocks=true")
        .contains("pin_l0_filter_and_index_blocks_in_cache=true")
        .contains("whole_key_filtering=true");
    assertThat(hintsTable).doesNotContainPattern("filter_policy=.*bloom").contains("block_size=16384");
    assertThat(meta).contains("compression=kNoCompression");
    assertThat(text).contains("max_background_jobs=" + SMALL.backgroundJobs()).contains("bytes_per_sync=1048576");
  }

  /** The lines of one [section] of a RocksDB OPTIONS file. */
  private static String section(String text, String name) {
    int start = text.indexOf("[" + name + "]");
    assertThat(start).as("section %s", name).isNotNegative();
    int end = text.indexOf("\n[", start + 1);
    return text.substring(start, end < 0 ? text.length() : end);
  }

  @Test
  void concurrentSyncedWritersAllLand() throws Exception {
    int threads = 4;
    int perThread = 200;
    try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, true, true, SMALL)) {
      pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    engine.write(new WriteBatch().put(Keyspace.DATA, dataKey(thread, i), value(i)));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
    try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, false, true, SMALL)) {
      for (int t = 0; t < threads; t++) {
        assertThat(scanKeys(engine, Keyspace.DATA, DataKey.partitionStart(t), DataKey.partitionStart(t + 1)))
            .hasSize(perThread);
      }
    }
  }

  @Test
  void theDotCounterContinuesAboveItsLeaseAfterAReopen() {
    DataKey key = new DataKey(4, "b", new byte[] {1});
    NodeId self = NodeId.of("n1");
    long before;
    try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, false, true, SMALL)) {
      LocalReplica replica = new LocalReplica(engine, 10);
      replica.coordinate(key, self, 1, VectorClock.EMPTY, false, new byte[] {1}, ConflictMode.SIBLINGS);
      before = replica
          .coordinate(key, self, 2, VectorClock.EMPTY, false, new byte[] {2}, ConflictMode.SIBLINGS)
          .created().dot().counter();
      assertThat(before).isEqualTo(2);
    }
    try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, false, true, SMALL)) {
      LocalReplica replica = new LocalReplica(engine, 10);
      var c = replica.coordinate(
          new DataKey(5, "b", new byte[] {2}), self, 3, VectorClock.EMPTY, false, new byte[] {3},
          ConflictMode.SIBLINGS);
      assertThat(c.created().dot().counter()).isGreaterThan(before);
      assertThat(replica.readRecord(key)).isNotNull();
      assertThat(replica.read(key).versions()).hasSize(2);
    }
  }

  @Test
  void badTuningIsRefused() {
    assertThatThrownBy(() -> RocksDbTuning.of(1024, 64L << 20)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RocksDbTuning.of(64L << 20, 2L << 30)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RocksDbStorageEngine.open(dir, true, false, SMALL))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void statisticsAndPropertiesAreReadWhileOpenAndNeverAfterClose() {
    RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir.resolve("db"), false, true, SMALL);
    for (int i = 0; i < 100; i++) {
      engine.write(new WriteBatch().put(Keyspace.DATA, dataKey(1, i), value(i)));
    }
    for (int i = 0; i < 100; i++) {
      engine.get(Keyspace.DATA, dataKey(1, i));
    }
    assertThat(engine.ticker(org.rocksdb.TickerType.BYTES_WRITTEN)).isPositive();
    assertThat(engine.ticker(org.rocksdb.TickerType.NUMBER_KEYS_READ)).isEqualTo(100);
    assertThat(engine.longProperty(null, "rocksdb.cur-size-all-mem-tables")).isPositive();
    assertThat(engine.longProperty(Keyspace.DATA, "rocksdb.estimate-pending-compaction-bytes"))
        .isNotNegative();
    assertThat(engine.longProperty(Keyspace.DATA, "rocksdb.no-such-property")).isEqualTo(-1);
    engine.close();
    // A scrape racing shutdown reads -1, not freed native memory.
    assertThat(engine.ticker(org.rocksdb.TickerType.BYTES_WRITTEN)).isEqualTo(-1);
    assertThat(engine.longProperty(null, "rocksdb.cur-size-all-mem-tables")).isEqualTo(-1);
  }
}

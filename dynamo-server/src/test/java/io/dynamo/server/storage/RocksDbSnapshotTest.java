package io.dynamo.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageException;
import io.dynamo.core.storage.StorageSnapshot;
import io.dynamo.core.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots, range deletes and size estimates of the RocksDB engine, as partition transfers use them. */
class RocksDbSnapshotTest {
  @TempDir Path dir;

  static byte[] key(int partition, int i) {
    return new DataKey(partition, "b", ("key-" + i).getBytes(StandardCharsets.UTF_8)).encode();
  }

  static byte[] value(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static List<String> scan(StorageSnapshot s, int partition) {
    List<String> out = new ArrayList<>();
    s.scan(Keyspace.DATA, DataKey.partitionStart(partition), DataKey.partitionStart(partition + 1),
        (k, v) -> out.add(new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  static List<String> scan(RocksDbStorageEngine engine, int partition) {
    List<String> out = new ArrayList<>();
    engine.scan(Keyspace.DATA, DataKey.partitionStart(partition), DataKey.partitionStart(partition + 1),
        (k, v) -> out.add(new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  void aSnapshotIgnoresWritesAndDeletesMadeAfterIt() {
    try (RocksDbStorageEngine engine =
        RocksDbStorageEngine.open(dir, false, true, RocksDbStorageEngineTest.SMALL)) {
      for (int i = 0; i < 100; i++) {
        engine.write(new WriteBatch().put(Keyspace.DATA, key(3, i), value("old-" + i)));
      }
      try (StorageSnapshot snapshot = engine.snapshot()) {
        engine.write(new WriteBatch()
            .put(Keyspace.DATA, key(3, 5), value("new-5"))
            .delete(Keyspace.DATA, key(3, 6))
            .put(Keyspace.DATA, key(3, 1000), value("new-1000")));
        engine.deleteRange(Keyspace.DATA, key(3, 50), key(3, 60));

        List<String> seen = scan(snapshot, 3);
        assertThat(seen).hasSize(100).contains("old-5", "old-6", "old-55").doesNotContain("new-5", "new-1000");
        assertThat(scan(engine, 3)).contains("new-5", "new-1000").doesNotContain("old-6", "old-55");
        assertThat(engine.openSnapshots()).isEqualTo(1);
      }
      assertThat(engine.openSnapshots()).isZero();
    }
  }

  @Test
  void aClosedSnapshotRefusesScansAndClosingTwiceIsHarmless() {
    try (RocksDbStorageEngine engine =
        RocksDbStorageEngine.open(dir, false, true, RocksDbStorageEngineTest.SMALL)) {
      StorageSnapshot snapshot = engine.snapshot();
      snapshot.close();
      snapshot.close();
      assertThatThrownBy(() -> scan(snapshot, 1)).isInstanceOf(StorageException.class);
      assertThat(engine.openSnapshots()).isZero();
    }
  }

  @Test
  void closingTheEngineReleasesSnapshotsStillOpen() {
    RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, false, true, RocksDbStorageEngineTest.SMALL);
    StorageSnapshot snapshot = engine.snapshot();
    engine.close();
    assertThat(engine.openSnapshots()).isZero();
    snapshot.close(); // harmless after the engine released it
    assertThatThrownBy(() -> scan(snapshot, 1)).isInstanceOf(StorageException.class);
  }

  @Test
  void deleteRangeRemovesOnlyThatPartitionAndSurvivesAReopen() {
    try (RocksDbStorageEngine engine =
        RocksDbStorageEngine.open(dir, false, true, RocksDbStorageEngineTest.SMALL)) {
      for (int p = 1; p <= 3; p++) {
        for (int i = 0; i < 500; i++) {
          engine.write(new WriteBatch().put(Keyspace.DATA, key(p, i), value(p + "-" + i)));
        }
      }
      engine.write(new WriteBatch().put(Keyspace.META, DataKey.partitionStart(2), value("meta")));
      assertThat(engine.approximateBytes(Keyspace.DATA, DataKey.partitionStart(2), DataKey.partitionStart(3)))
          .isPositive();

      engine.deleteRange(Keyspace.DATA, DataKey.partitionStart(2), DataKey.partitionStart(3));

      assertThat(scan(engine, 2)).isEmpty();
      assertThat(scan(engine, 1)).hasSize(500);
      assertThat(scan(engine, 3)).hasSize(500);
      assertThat(engine.get(Keyspace.META, DataKey.partitionStart(2))).isNotNull();
    }
    try (RocksDbStorageEngine engine =
        RocksDbStorageEngine.open(dir, false, true, RocksDbStorageEngineTest.SMALL)) {
      assertThat(scan(engine, 2)).isEmpty();
      assertThat(scan(engine, 1)).hasSize(500);
      assertThat(scan(engine, 3)).hasSize(500);
    }
  }
}

package io.dynamo.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory engine's snapshots, range deletes and size counts (RocksDB's: dynamo-server). */
class InMemorySnapshotTest {
  static byte[] key(int partition, int i) {
    return new DataKey(partition, "b", ("k" + i).getBytes(StandardCharsets.UTF_8)).encode();
  }

  static List<String> values(StorageSnapshot s, int partition) {
    List<String> out = new ArrayList<>();
    s.scan(Keyspace.DATA, DataKey.partitionStart(partition), DataKey.partitionStart(partition + 1),
        (k, v) -> out.add(new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  void aSnapshotSeesOnlyWritesBeforeIt() {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    for (int i = 0; i < 10; i++) {
      engine.write(new WriteBatch().put(Keyspace.DATA, key(1, i), ("old" + i).getBytes(StandardCharsets.UTF_8)));
    }
    StorageSnapshot s = engine.snapshot();
    engine.write(new WriteBatch().put(Keyspace.DATA, key(1, 3), "new".getBytes(StandardCharsets.UTF_8))
        .delete(Keyspace.DATA, key(1, 4)));
    engine.deleteRange(Keyspace.DATA, key(1, 5), key(1, 8));

    assertThat(values(s, 1)).hasSize(10).contains("old3", "old4", "old6").doesNotContain("new");
    s.close();
    assertThatThrownBy(() -> values(s, 1)).isInstanceOf(StorageException.class);
  }

  @Test
  void deleteRangeAndSizesStayInsideTheRange() {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    for (int p = 1; p <= 3; p++) {
      for (int i = 0; i < 10; i++) {
        engine.write(new WriteBatch().put(Keyspace.DATA, key(p, i), new byte[10]));
      }
    }
    long partitionBytes = 10L * (key(2, 0).length + 10);
    assertThat(engine.approximateBytes(Keyspace.DATA, DataKey.partitionStart(2), DataKey.partitionStart(3)))
        .isEqualTo(partitionBytes);
    engine.deleteRange(Keyspace.DATA, DataKey.partitionStart(2), DataKey.partitionStart(3));
    assertThat(engine.size(Keyspace.DATA)).isEqualTo(20);
    assertThat(engine.approximateBytes(Keyspace.DATA, DataKey.partitionStart(2), DataKey.partitionStart(3))).isZero();
  }

  @Test
  void theDefaultRangeDeleteOfOtherEnginesDeletesInBatches() {
    InMemoryStorageEngine store = new InMemoryStorageEngine();
    StorageEngine plain = new StorageEngine() {
      @Override
      public byte[] get(Keyspace space, byte[] key) {
        return store.get(space, key);
      }

      @Override
      public void write(WriteBatch batch) {
        store.write(batch);
      }

      @Override
      public void scan(Keyspace space, byte[] from, byte[] to, Visitor visitor) {
        store.scan(space, from, to, visitor);
      }

      @Override
      public void close() {}
    };
    for (int i = 0; i < 3000; i++) {
      plain.write(new WriteBatch().put(Keyspace.DATA, key(2, i), new byte[1]));
    }
    plain.write(new WriteBatch().put(Keyspace.DATA, key(3, 0), new byte[1]));
    plain.deleteRange(Keyspace.DATA, DataKey.partitionStart(2), DataKey.partitionStart(3));
    assertThat(store.size(Keyspace.DATA)).isEqualTo(1);
    assertThatThrownBy(plain::snapshot).isInstanceOf(UnsupportedOperationException.class);
  }
}

package io.dynamo.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataKeyTest {
  static final int[] PARTITIONS = {0, 1, 2, 255, 256, 65_535, 65_536, (1 << 20) - 1, 1 << 20};
  static final String[] BUCKETS = {"", "b", "users", "ünïcødé-桶", "x".repeat(255)};
  static final byte[][] KEYS = {
    {}, {0}, {(byte) 0xff}, {0, 0, 0, 0}, {(byte) 0xff, (byte) 0xff, 0, 1},
    "user:42".getBytes(StandardCharsets.UTF_8)
  };

  static List<DataKey> all() {
    List<DataKey> out = new ArrayList<>();
    for (int p : PARTITIONS) {
      for (String b : BUCKETS) {
        for (byte[] k : KEYS) {
          out.add(new DataKey(p, b, k));
        }
      }
    }
    return out;
  }

  @Test
  void encodedKeysDecodeToTheSameKey() {
    for (DataKey k : all()) {
      byte[] raw = k.encode();
      DataKey back = DataKey.decode(raw);
      assertThat(back).as("%s", k).isEqualTo(k).hasSameHashCodeAs(k);
      assertThat(back.key()).isEqualTo(k.key());
      assertThat(back.bucket()).isEqualTo(k.bucket());
      assertThat(back.partition()).isEqualTo(k.partition());
      assertThat(raw).startsWith(DataKey.partitionStart(k.partition()));
    }
  }

  @Test
  void distinctKeysEncodeDistinctly() {
    // The bucket is length-prefixed, so ("ab", "c") and ("a", "bc") do not collide.
    byte[] x = new DataKey(3, "ab", "c".getBytes(StandardCharsets.UTF_8)).encode();
    byte[] y = new DataKey(3, "a", "bc".getBytes(StandardCharsets.UTF_8)).encode();
    assertThat(x).isNotEqualTo(y);
    List<DataKey> keys = all();
    for (int i = 0; i < keys.size(); i++) {
      for (int j = i + 1; j < keys.size(); j++) {
        assertThat(Arrays.equals(keys.get(i).encode(), keys.get(j).encode())).isFalse();
      }
    }
  }

  @Test
  void encodedKeysSortByPartitionFirstAsUnsignedBytes() {
    List<DataKey> keys = all();
    for (DataKey a : keys) {
      byte[] ea = a.encode();
      for (DataKey b : keys) {
        if (a.partition() < b.partition()) {
          assertThat(Arrays.compareUnsigned(ea, b.encode())).as("%s < %s", a, b).isNegative();
        }
      }
      byte[] start = DataKey.partitionStart(a.partition());
      assertThat(Arrays.compareUnsigned(start, ea)).isNotPositive();
      byte[] next = DataKey.partitionStart(a.partition() + 1);
      assertThat(Arrays.compareUnsigned(ea, next)).isNegative();
    }
  }

  @Test
  void aPartitionRangeScansExactlyThatPartitionsKeys() {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    WriteBatch batch = new WriteBatch();
    for (DataKey k : all()) {
      batch.put(Keyspace.DATA, k.encode(), new byte[] {1});
    }
    engine.write(batch);
    for (int p : PARTITIONS) {
      List<DataKey> seen = new ArrayList<>();
      engine.scan(
          Keyspace.DATA,
          DataKey.partitionStart(p),
          DataKey.partitionStart(p + 1),
          (key, value) -> seen.add(DataKey.decode(key)));
      assertThat(seen)
          .as("partition %d", p)
          .hasSize(BUCKETS.length * KEYS.length)
          .allSatisfy(k -> assertThat(k.partition()).isEqualTo(p));
    }
  }

  @Test
  void bucketNamesOver255BytesAreRejected() {
    assertThat(new DataKey(0, "é".repeat(127), new byte[0]).encode()).hasSize(4 + 1 + 254);
    assertThatThrownBy(() -> new DataKey(0, "x".repeat(256), new byte[0]).encode())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DataKey(0, "é".repeat(128), new byte[0]).encode())
        .isInstanceOf(IllegalArgumentException.class);
  }
}

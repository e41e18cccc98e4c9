package io.dynamo.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.sim.SimulatedDisk;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.core.version.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node-wide dot counter as LocalReplica uses it (docs/decisions/0004-node-wide-dot-counter.md). */
class LocalReplicaDotsTest {
  static final NodeId A = NodeId.of("a");
  static final ConflictMode SIB = ConflictMode.SIBLINGS;

  ExecutorService pool;

  @AfterEach
  void shutdown() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  static DataKey key(int i) {
    return new DataKey(i % 13, "b", ("k" + i).getBytes(StandardCharsets.UTF_8));
  }

  static long put(LocalReplica replica, DataKey key, long now) {
    return replica
        .coordinate(key, A, now, VectorClock.EMPTY, false, new byte[] {1}, SIB)
        .created()
        .dot()
        .counter();
  }

  @Test
  void theWritePathReadsNoCounterAndWritesTheLeaseWithTheData() {
    RecordingStorageEngine engine = new RecordingStorageEngine();
    LocalReplica replica = new LocalReplica(engine, 10, 100);
    long metaReadsAtOpen = engine.gets(Keyspace.META);
    for (int i = 0; i < 10; i++) {
      put(replica, key(i), i);
    }
    assertThat(engine.gets(Keyspace.META)).isEqualTo(metaReadsAtOpen);
    List<WriteBatch> batches = engine.batches();
    assertThat(batches).hasSize(10);
    // The first write carries the lease, in the same synced batch as its data.
    assertThat(batches.get(0).ops()).extracting(WriteBatch.Op::space)
        .containsExactlyInAnyOrder(Keyspace.DATA, Keyspace.META);
    assertThat(batches.get(0).syncRequired()).isTrue();
    // The others write their data alone: no counter row per key.
    for (WriteBatch b : batches.subList(1, 10)) {
      assertThat(b.ops()).extracting(WriteBatch.Op::space).containsExactly(Keyspace.DATA);
      assertThat(b.syncRequired()).isFalse();
    }
    assertThat(engine.store.size(Keyspace.META)).isEqualTo(1);
  }

  @Test
  void dotsNeverRepeatAcrossRestarts() {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    long highest = 0;
    for (int restart = 0; restart < 4; restart++) {
      LocalReplica replica = new LocalReplica(engine, 10, 8);
      for (int i = 0; i < 20; i++) {
        long c = put(replica, key(i), i);
        assertThat(c).isGreaterThan(highest);
        highest = c;
      }
    }
  }

  @Test
  void dotsNeverRepeatAfterAPowerLossWithoutSync() {
    // Nothing the OS buffers ever reaches the disk on its own here: only synced batches survive.
    SimulatedDisk disk = new SimulatedDisk(SimulatedDisk.Durability.NO_SYNC, Long.MAX_VALUE / 2, () -> 0);
    long highest = 0;
    for (int life = 0; life < 4; life++) {
      LocalReplica replica = new LocalReplica(disk, 10, 8);
      for (int i = 0; i < 30; i++) {
        long c = put(replica, key(life * 100 + i), i);
        assertThat(c).as("life %d write %d", life, i).isGreaterThan(highest);
        highest = c;
      }
      assertThat(disk.unsyncedBatches()).isPositive();
      disk.powerLoss();
    }
    assertThat(disk.lostBatches()).isPositive();
  }

  @Test
  void concurrentWritesToManyKeysNeverRepeatADotAndTheStoredMarkCoversEveryStoredDot()
      throws Exception {
    RecordingStorageEngine engine = new RecordingStorageEngine();
    engine.afterWrite(
        batch -> {
          byte[] raw = engine.store.get(Keyspace.META, DotCounter.MARK_KEY);
          long mark = raw == null ? 0 : DotCounter.decodeCounter(raw, "mark");
          for (WriteBatch.Op op : batch.ops()) {
            if (op.space() == Keyspace.DATA) {
              for (Versioned v : VersionCodec.decodeSiblings(op.value()).versions()) {
                if (v.dot().counter() > mark) {
                  throw new AssertionError("dot " + v.dot() + " stored above the mark " + mark);
                }
              }
            }
          }
        });
    LocalReplica replica = new LocalReplica(engine, 10, 4);
    int threads = 4;
    int perThread = 500;
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Long>>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                  // Mostly the thread's own keys, sometimes a key every thread writes.
                  DataKey k = i % 10 == 0 ? key(-1) : key(thread * 100_000 + i % 50);
                  mine.add(put(replica, k, i));
                }
                return mine;
              }));
    }
    start.countDown();
    Set<Long> all = new HashSet<>();
    for (Future<List<Long>> f : futures) {
      for (long c : f.get(60, TimeUnit.SECONDS)) {
        assertThat(all.add(c)).as("dot a:%d created twice", c).isTrue();
      }
    }
    assertThat(all).hasSize(threads * perThread);
    SiblingSet shared = replica.read(key(-1));
    assertThat(shared.versions()).hasSize(threads * perThread / 10);
    long highest = all.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(put(new LocalReplica(engine, 10, 4), key(0), 0)).isGreaterThan(highest);
  }
}

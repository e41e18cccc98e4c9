package io.dynamo.core.antientropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.InMemoryStorageEngine;
import io.dynamo.core.storage.KeyLimits;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.storage.StorageException;
import io.dynamo.core.storage.StorageSnapshot;
import io.dynamo.core.storage.WriteBatch;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.VectorClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * {@link PartitionTrees} fed by a {@link LocalReplica}'s writes: a partition's tree exists only
 * once rebuilt, then every write keeps it equal to a tree built afresh from the stored data, also
 * when the writes run while the rebuild scans.
 */
class PartitionTreesTest {
  static final NodeId SELF = NodeId.of("self");
  static final ConflictMode SIB = ConflictMode.SIBLINGS;

  /** A replica over an engine, reporting its writes to {@code trees}. */
  static LocalReplica replica(StorageEngine engine, PartitionTrees trees) {
    return new LocalReplica(engine, 10, 4, bucket -> KeyLimits.UNLIMITED, trees);
  }

  static DataKey key(int partition, String name) {
    return new DataKey(partition, "b", name.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] value(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The tree of a partition computed here from the engine's data, independently of the class. */
  static HashTree scanned(StorageEngine engine, int partition) {
    HashTree tree = new HashTree();
    byte[] end =
        partition == Integer.MAX_VALUE
            ? new byte[] {(byte) 0x80, 0, 0, 0}
            : DataKey.partitionStart(partition + 1);
    engine.scan(
        Keyspace.DATA,
        DataKey.partitionStart(partition),
        end,
        (k, v) -> {
          assertThat(DataKey.decode(k).partition()).isEqualTo(partition);
          tree.add(KeyHashes.segmentOf(k), KeyHashes.contribution(k, v));
          return true;
        });
    return tree;
  }

  /** A fresh rebuild on another {@code PartitionTrees} over the same engine. */
  static HashTree fresh(StorageEngine engine, int partition) {
    PartitionTrees other = new PartitionTrees();
    assertThat(other.rebuild(partition, engine)).isTrue();
    return other.copy(partition);
  }

  static void assertCurrent(PartitionTrees trees, StorageEngine engine, int partition) {
    HashTree tree = trees.copy(partition);
    assertThat(tree).as("partition %s has a tree", partition).isNotNull();
    HashTree expected = scanned(engine, partition);
    assertThat(tree).as("partition %s", partition).isEqualTo(expected);
    assertThat(tree.branches()).isEqualTo(expected.branches());
    assertThat(tree.differingSegments(expected)).isEmpty();
    assertThat(fresh(engine, partition)).isEqualTo(expected);
  }

  /** One random write of any kind LocalReplica makes. */
  static void randomWrite(
      LocalReplica replica, LocalReplica elsewhere, NodeId elsewhereId, DataKey key, Random random) {
    String v = "v" + random.nextInt(1_000_000);
    long now = 1_000 + random.nextInt(1_000);
    switch (random.nextInt(6)) {
      case 0 -> // a blind write, which may leave siblings
          replica.coordinate(key, SELF, now, VectorClock.EMPTY, false, value(v), SIB);
      case 1 -> // an overwrite with the context read
          replica.coordinate(key, SELF, now, replica.read(key).context(), false, value(v), SIB);
      case 2 -> // a delete: a tombstone record
          replica.coordinate(key, SELF, now, replica.read(key).context(), true, null, SIB);
      case 3 -> { // a version coordinated elsewhere, merged as a record
        LocalReplica.Coordinated c =
            elsewhere.coordinate(
                key, elsewhereId, now, elsewhere.read(key).context(), false, value(v), SIB);
        replica.merge(key, c.record(), SIB, null, now);
      }
      case 4 -> { // merged as a sibling set, e.g. from a read repair
        LocalReplica.Coordinated c =
            elsewhere.coordinate(key, elsewhereId, now, VectorClock.EMPTY, false, value(v), SIB);
        replica.merge(key, c.siblings(), SIB);
      }
      default -> // a write that also keeps a hint (the hint is not data)
          replica.coordinate(
              key, SELF, now, replica.read(key).context(), false, value(v), SIB,
              List.of(NodeId.of("down")));
    }
  }

  @Test
  void treesAreAbsentUntilRebuilt() {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
    Random random = new Random(1);
    for (int i = 0; i < 300; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(1 + i % 3, "k" + random.nextInt(50)), random);
    }
    for (int p = 0; p <= 4; p++) {
      assertThat(trees.ready(p)).isFalse();
      assertThat(trees.rebuilding(p)).isFalse();
      assertThat(trees.rebuilds(p)).isZero();
      assertThat(trees.copy(p)).isNull();
      assertThat(trees.read(p, HashTree::root)).isNull();
    }

    assertThat(trees.rebuild(2, engine)).isTrue();
    assertThat(trees.ready(2)).isTrue();
    assertThat(trees.rebuilding(2)).isFalse();
    assertThat(trees.rebuilds(2)).isEqualTo(1);
    assertThat(trees.ready(1)).isFalse();
    assertThat(trees.ready(3)).isFalse();
    assertCurrent(trees, engine, 2);
    assertThat(trees.read(2, HashTree::root)).isEqualTo(scanned(engine, 2).root()).isNotZero();

    // An empty partition's tree is built too, and is empty.
    assertThat(trees.rebuild(4, engine)).isTrue();
    assertThat(trees.copy(4)).isEqualTo(new HashTree());
  }

  @Test
  void writesToAPartitionWithoutATreeDoNotCreateOne() {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
    trees.rebuild(1, engine);
    Random random = new Random(2);
    for (int i = 0; i < 200; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(i % 2 == 0 ? 1 : 9, "k" + random.nextInt(30)), random);
    }
    assertThat(trees.ready(9)).isFalse();
    assertThat(trees.rebuilding(9)).isFalse();
    assertThat(trees.rebuilds(9)).isZero();
    assertThat(trees.copy(9)).isNull();
    assertCurrent(trees, engine, 1);
    // Built later, the tree is that of everything written before.
    trees.rebuild(9, engine);
    assertCurrent(trees, engine, 9);
  }

  @Property(tries = 25)
  void everyWriteAfterARebuildKeepsTheTreeEqualToAFreshRebuild(@ForAll long seed) {
    Random random = new Random(seed);
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
    int[] partitions = {0, 1, 255, 256, Integer.MAX_VALUE};
    for (int i = 0; i < 100; i++) {
      randomWrite(
          replica, elsewhere, NodeId.of("e"),
          key(partitions[random.nextInt(partitions.length)], "k" + random.nextInt(40)), random);
    }
    // Some partitions built now, the others later or never.
    for (int p : partitions) {
      if (random.nextBoolean()) {
        trees.rebuild(p, engine);
      }
    }
    for (int i = 0; i < 300; i++) {
      int p = partitions[random.nextInt(partitions.length)];
      HashTree before = trees.copy(p);
      randomWrite(replica, elsewhere, NodeId.of("e"), key(p, "k" + random.nextInt(40)), random);
      for (int q : partitions) {
        if (q != p && trees.ready(q)) {
          // A write of one partition leaves the others' trees alone.
          assertThat(trees.copy(q)).isEqualTo(scanned(engine, q));
        }
      }
      if (before != null) {
        assertCurrent(trees, engine, p);
      } else {
        assertThat(trees.ready(p)).isFalse();
      }
      if (random.nextInt(50) == 0) {
        int q = partitions[random.nextInt(partitions.length)];
        if (random.nextBoolean()) {
          trees.drop(q);
        } else {
          trees.rebuild(q, engine);
        }
      }
    }
    for (int p : partitions) {
      if (trees.ready(p)) {
        assertCurrent(trees, engine, p);
      }
    }
  }

  @Test
  void dropForgetsTheTreeUntilTheNextRebuild() {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
    Random random = new Random(3);
    trees.rebuild(5, engine);
    for (int i = 0; i < 50; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(5, "k" + random.nextInt(20)), random);
    }
    assertCurrent(trees, engine, 5);

    trees.drop(5);
    assertThat(trees.ready(5)).isFalse();
    assertThat(trees.copy(5)).isNull();
    assertThat(trees.read(5, HashTree::root)).isNull();
    assertThat(trees.rebuilds(5)).isEqualTo(1);
    for (int i = 0; i < 50; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(5, "k" + random.nextInt(20)), random);
    }
    assertThat(trees.ready(5)).isFalse();
    // Dropping a partition that never had a tree is harmless.
    trees.drop(6);
    assertThat(trees.ready(6)).isFalse();

    assertThat(trees.rebuild(5, engine)).isTrue();
    assertThat(trees.rebuilds(5)).isEqualTo(2);
    assertCurrent(trees, engine, 5);
    for (int i = 0; i < 50; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(5, "k" + random.nextInt(20)), random);
    }
    assertCurrent(trees, engine, 5);
  }

  /**
   * Writes that land while the rebuild scans its snapshot (here, deterministically, from inside the
   * scan) are queued and applied at the swap; the old tree keeps serving and taking them meanwhile,
   * and a second rebuild of the partition is refused.
   */
  @Test
  void writesDuringTheScanAreAppliedAtTheSwap() {
    HookedEngine engine = new HookedEngine(true);
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
    Random random = new Random(4);
    for (int i = 0; i < 100; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(3, "k" + random.nextInt(40)), random);
    }
    trees.rebuild(3, engine);
    HashTree old = trees.copy(3);
    AtomicInteger hookRuns = new AtomicInteger();
    engine.duringScan =
        () -> {
          hookRuns.incrementAndGet();
          assertThat(trees.rebuilding(3)).isTrue();
          assertThat(trees.rebuild(3, engine)).isFalse();
          for (int i = 0; i < 100; i++) {
            // Keys already in the snapshot, and new ones.
            randomWrite(replica, elsewhere, NodeId.of("e"), key(3, "k" + random.nextInt(80)), random);
          }
          // The old tree still serves, kept current.
          assertThat(trees.ready(3)).isTrue();
          assertThat(trees.copy(3)).isEqualTo(scanned(engine, 3)).isNotEqualTo(old);
        };
    assertThat(trees.rebuild(3, engine)).isTrue();
    assertThat(hookRuns).hasValue(1);
    assertThat(trees.rebuilding(3)).isFalse();
    assertThat(trees.rebuilds(3)).isEqualTo(2);
    assertCurrent(trees, engine, 3);
    // And the tree keeps taking writes after the swap.
    for (int i = 0; i < 50; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(3, "k" + random.nextInt(80)), random);
    }
    assertCurrent(trees, engine, 3);
  }

  /** A first rebuild with writes during its scan: no old tree, the queue alone catches them. */
  @Test
  void writesDuringAFirstRebuildAreAppliedAtTheSwap() {
    HookedEngine engine = new HookedEngine(true);
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
    Random random = new Random(5);
    for (int i = 0; i < 60; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(3, "k" + random.nextInt(40)), random);
    }
    engine.duringScan =
        () -> {
          assertThat(trees.ready(3)).isFalse();
          for (int i = 0; i < 60; i++) {
            randomWrite(replica, elsewhere, NodeId.of("e"), key(3, "k" + random.nextInt(60)), random);
          }
        };
    assertThat(trees.rebuild(3, engine)).isTrue();
    assertCurrent(trees, engine, 3);
  }

  @Test
  void aDropDuringTheScanDiscardsTheRebuild() {
    HookedEngine engine = new HookedEngine(true);
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
    Random random = new Random(6);
    for (int i = 0; i < 30; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(3, "k" + i), random);
    }
    trees.rebuild(3, engine);
    engine.duringScan = () -> trees.drop(3);
    trees.rebuild(3, engine);
    assertThat(trees.ready(3)).isFalse();
    assertThat(trees.rebuilding(3)).isFalse();
    assertThat(trees.rebuilds(3)).isEqualTo(1);
    engine.duringScan = null;
    randomWrite(replica, elsewhere, NodeId.of("e"), key(3, "k1"), random);
    assertThat(trees.ready(3)).isFalse();
    assertThat(trees.rebuild(3, engine)).isTrue();
    assertCurrent(trees, engine, 3);
  }

  @Test
  void aFailedScanLeavesTheOldTreeAndAllowsTheNextRebuild() {
    HookedEngine engine = new HookedEngine(true);
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
    Random random = new Random(7);
    for (int i = 0; i < 30; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(3, "k" + i), random);
    }
    trees.rebuild(3, engine);
    engine.duringScan =
        () -> {
          throw new StorageException("disk on fire");
        };
    assertThatThrownBy(() -> trees.rebuild(3, engine)).isInstanceOf(StorageException.class);
    assertThat(trees.rebuilding(3)).isFalse();
    assertThat(trees.rebuilds(3)).isEqualTo(1);
    engine.duringScan = null;
    randomWrite(replica, elsewhere, NodeId.of("e"), key(3, "k1"), random);
    assertCurrent(trees, engine, 3);
    assertThat(trees.rebuild(3, engine)).isTrue();
    assertCurrent(trees, engine, 3);
  }

  @Test
  void anEngineWithoutSnapshotsIsScannedUnderTheLock() {
    HookedEngine engine = new HookedEngine(false);
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
    Random random = new Random(8);
    for (int i = 0; i < 100; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(1 + i % 2, "k" + random.nextInt(40)), random);
    }
    assertThat(trees.rebuild(1, engine)).isTrue();
    assertThat(trees.rebuilding(1)).isFalse();
    assertCurrent(trees, engine, 1);
    for (int i = 0; i < 100; i++) {
      randomWrite(replica, elsewhere, NodeId.of("e"), key(1 + i % 2, "k" + random.nextInt(40)), random);
    }
    assertCurrent(trees, engine, 1);
    assertThat(trees.ready(2)).isFalse();
  }

  /**
   * The race that matters: writer threads change keys of one partition while other threads
   * rebuild its tree over and over. Whatever the interleaving, once the writers stop, the tree
   * equals a fresh scan. The writers keep writing until the rebuilders are done, and each scan
   * waits for some writes, so every rebuild, the last included, overlaps writes, and every write
   * after the last one is incremental.
   */
  @RepeatedTest(3)
  void rebuildsConcurrentWithWritesEndEqualToAFreshScan() throws Exception {
    int partition = 11;
    int writers = 4;
    int rebuilders = 2;
    int rounds = 30;
    int minWritesPerWriter = 500;
    int writesPerScan = 20;
    HookedEngine engine = new HookedEngine(true);
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica = replica(engine, trees);
    // Enough keys that a scan takes a while, so many writes land during each.
    LocalReplica seeder = replica(new InMemoryStorageEngine(), null);
    for (int i = 0; i < 2_000; i++) {
      DataKey k = key(partition, "seed" + i);
      replica.merge(
          k, seeder.coordinate(k, NodeId.of("s"), 1, VectorClock.EMPTY, false, value("s" + i), SIB)
              .siblings(), SIB);
    }
    trees.rebuild(partition, engine);
    trees.rebuild(partition + 1, engine);

    CyclicBarrier start = new CyclicBarrier(writers + rebuilders);
    AtomicInteger rebuildersLeft = new AtomicInteger(rebuilders);
    AtomicBoolean rebuildsOver = new AtomicBoolean();
    AtomicInteger rebuilt = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger writes = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    // Each rebuild's scan waits (midway, without any lock) until the writers have made progress,
    // so every rebuild certainly overlaps writes; they write until the rebuilds are over.
    engine.duringEveryScan =
        () -> {
          int from = writes.get();
          while (writes.get() < from + writesPerScan && failure.get() == null) {
            Thread.onSpinWait();
          }
        };
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      threads.add(
          new Thread(
              () -> {
                try {
                  Random random = new Random(id * 7919L);
                  NodeId elsewhereId = NodeId.of("e" + id);
                  LocalReplica elsewhere = replica(new InMemoryStorageEngine(), null);
                  start.await();
                  for (int i = 0;
                      (i < minWritesPerWriter || !rebuildsOver.get()) && failure.get() == null;
                      i++) {
                    // Shared keys (the writers contend on them) and seeded ones; now and then a
                    // write to the next partition, whose tree must not move this one's.
                    int p = random.nextInt(20) == 0 ? partition + 1 : partition;
                    String name =
                        random.nextBoolean() ? "k" + random.nextInt(100) : "seed" + random.nextInt(2_000);
                    randomWrite(replica, elsewhere, elsewhereId, key(p, name), random);
                    writes.incrementAndGet();
                  }
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                }
              },
              "writer-" + w));
    }
    for (int r = 0; r < rebuilders; r++) {
      threads.add(
          new Thread(
              () -> {
                try {
                  start.await();
                  while (rebuilt.get() < rounds && failure.get() == null) {
                    if (trees.rebuild(partition, engine)) {
                      rebuilt.incrementAndGet();
                    } else {
                      refused.incrementAndGet(); // the other rebuilder's is running
                      Thread.yield();
                    }
                  }
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                } finally {
                  if (rebuildersLeft.decrementAndGet() == 0) {
                    rebuildsOver.set(true);
                  }
                }
              },
              "rebuilder-" + r));
    }
    for (Thread t : threads) {
      t.start();
    }
    for (Thread t : threads) {
      t.join(30_000);
      assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
    }
    if (failure.get() != null) {
      throw new AssertionError("a thread failed", failure.get());
    }
    engine.duringEveryScan = null;

    assertThat(rebuilt.get()).isGreaterThanOrEqualTo(rounds);
    assertThat(writes.get()).isGreaterThanOrEqualTo(writers * minWritesPerWriter);
    assertThat(trees.rebuilds(partition)).isEqualTo(1 + rebuilt.get());
    assertThat(trees.rebuilding(partition)).isFalse();
    assertCurrent(trees, engine, partition);
    assertCurrent(trees, engine, partition + 1);
  }

  /**
   * An engine over memory whose next snapshot runs {@link #duringScan}, once, after the first key
   * its scan visits (or at the end of an empty scan); failing that, {@link #duringEveryScan}.
   */
  static final class HookedEngine implements StorageEngine {
    final InMemoryStorageEngine inner = new InMemoryStorageEngine();
    final boolean snapshots;
    volatile Runnable duringScan;
    /** Run during every snapshot's scan (after a pending {@link #duringScan}). */
    volatile Runnable duringEveryScan;

    HookedEngine(boolean snapshots) {
      this.snapshots = snapshots;
    }

    @Override
    public byte[] get(Keyspace space, byte[] key) {
      return inner.get(space, key);
    }

    @Override
    public void write(WriteBatch batch) {
      inner.write(batch);
    }

    @Override
    public void scan(Keyspace space, byte[] from, byte[] to, Visitor visitor) {
      inner.scan(space, from, to, visitor);
    }

    @Override
    public StorageSnapshot snapshot() {
      if (!snapshots) {
        throw new UnsupportedOperationException("no snapshots");
      }
      StorageSnapshot s = inner.snapshot();
      Runnable hook = duringScan;
      duringScan = null; // once: later snapshots (fresh rebuilds for checks) scan plainly
      if (hook == null) {
        hook = duringEveryScan;
      }
      Runnable run = hook;
      return new StorageSnapshot() {
        @Override
        public void scan(Keyspace space, byte[] from, byte[] to, Visitor visitor) {
          boolean[] ran = {run == null};
          s.scan(
              space,
              from,
              to,
              (k, v) -> {
                boolean more = visitor.visit(k, v);
                if (!ran[0]) {
                  ran[0] = true;
                  run.run();
                }
                return more;
              });
          if (!ran[0]) {
            run.run();
          }
        }

        @Override
        public void close() {
          s.close();
        }
      };
    }

    @Override
    public void close() {}
  }
}

package io.dynamo.core.storage;

import io.dynamo.core.ring.NodeId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DotCounterTest {
  /** The META prefix under which these tests store "data" that uses a counter. */
  private static final byte USED = 'u';

  final RecordingStorageEngine engine = new RecordingStorageEngine();
  ExecutorService pool;

  @AfterEach
  void shutdown() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** Issues a counter and writes a batch that uses it, as LocalReplica.coordinate does. */
  static long use(DotCounter dots, StorageEngine engine, long floor) {
    try (DotCounter.Ticket t = dots.issue(floor)) {
      WriteBatch batch = new WriteBatch().put(Keyspace.META, usedKey(t.counter()), new byte[0]);
      engine.write(t.addTo(batch));
      t.written();
      return t.counter();
    }
  }

  static byte[] usedKey(long counter) {
    byte[] c = DotCounter.encodeCounter(counter);
    byte[] key = new byte[1 + c.length];
    key[0] = USED;
    System.arraycopy(c, 0, key, 1, c.length);
    return key;
  }

  static long storedMark(StorageEngine engine) {
    byte[] mark = engine.get(Keyspace.META, DotCounter.MARK_KEY);
    return mark == null ? 0 : DotCounter.decodeCounter(mark, "mark");
  }

  /** After every batch: each counter the batch uses is at most the stored mark. */
  static void checkMarkCoversEveryUse(RecordingStorageEngine engine) {
    engine.afterWrite(
        batch -> {
          long mark = storedMark(engine.store);
          for (WriteBatch.Op op : batch.ops()) {
            if (op.key().length == 9 && op.key()[0] == USED) {
              long used = DotCounter.decodeCounter(java.util.Arrays.copyOfRange(op.key(), 1, 9), "used");
              if (used > mark) {
                throw new AssertionError("counter " + used + " stored above the mark " + mark);
              }
            }
          }
        });
  }

  @Test
  void countersStartAtOneAndOnlyGrow() {
    DotCounter dots = DotCounter.open(engine, 8);
    assertThat(use(dots, engine, 0)).isEqualTo(1);
    assertThat(use(dots, engine, 0)).isEqualTo(2);
    assertThat(use(dots, engine, 1)).isEqualTo(3);
    assertThat(dots.lastIssued()).isEqualTo(3);
  }

  @Test
  void aFloorMovesTheCounterPastIt() {
    DotCounter dots = DotCounter.open(engine, 8);
    assertThat(use(dots, engine, 100)).isEqualTo(101);
    assertThat(use(dots, engine, 0)).isEqualTo(102);
    assertThat(storedMark(engine)).isGreaterThanOrEqualTo(102);
  }

  @Test
  void openingAFreshEngineWritesNothing() {
    DotCounter.open(engine, 8);
    DotCounter.open(engine, 8);
    assertThat(engine.batches()).isEmpty();
    assertThat(engine.store.size(Keyspace.META)).isZero();
  }

  @Test
  void theFirstCounterAboveTheMarkCarriesANewMarkInItsOwnSyncedBatch() {
    DotCounter dots = DotCounter.open(engine, 8);
    try (DotCounter.Ticket t = dots.issue(0)) {
      assertThat(t.counter()).isEqualTo(1);
      assertThat(t.extendsLease()).isTrue();
      WriteBatch batch = t.addTo(new WriteBatch().put(Keyspace.DATA, new byte[] {1}, new byte[] {2}));
      assertThat(batch.syncRequired()).isTrue();
      assertThat(batch.ops()).hasSize(2);
      assertThat(batch.ops().get(1).space()).isEqualTo(Keyspace.META);
      assertThat(DotCounter.decodeCounter(batch.ops().get(1).value(), "mark")).isEqualTo(1 + 8);
      engine.write(batch);
      t.written();
    }
    assertThat(dots.storedMark()).isEqualTo(9);
    // Counters well inside the lease write no mark.
    try (DotCounter.Ticket t = dots.issue(0)) {
      assertThat(t.extendsLease()).isFalse();
      WriteBatch batch = t.addTo(new WriteBatch());
      assertThat(batch.isEmpty()).isTrue();
      assertThat(batch.syncRequired()).isFalse();
    }
  }

  @Test
  void theLeaseIsExtendedBeforeItRunsOut() {
    DotCounter dots = DotCounter.open(engine, 8);
    List<Long> extendedAt = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long before = dots.storedMark();
      long c = use(dots, engine, 0);
      if (dots.storedMark() != before) {
        extendedAt.add(c);
        // Extended while half a block was left, never after running out.
        assertThat(c).isLessThanOrEqualTo(Math.max(before, 1));
      }
    }
    assertThat(extendedAt).hasSizeGreaterThan(4);
    assertThat(storedMark(engine)).isEqualTo(dots.storedMark()).isGreaterThan(40);
  }

  @Test
  void neverRepeatsAcrossRestarts() {
    long highest = 0;
    for (int restart = 0; restart < 5; restart++) {
      DotCounter dots = DotCounter.open(engine, 8);
      for (int i = 0; i < 13; i++) {
        long c = use(dots, engine, 0);
        assertThat(c).isGreaterThan(highest);
        highest = c;
      }
    }
    // A node that restarts without writing anything does not go back either.
    DotCounter idle = DotCounter.open(engine, 8);
    DotCounter again = DotCounter.open(engine, 8);
    assertThat(idle.lastIssued()).isEqualTo(again.lastIssued()).isGreaterThanOrEqualTo(highest);
    assertThat(use(again, engine, 0)).isGreaterThan(highest);
  }

  @Test
  void aFailedWriteLeavesTheLeaseToTheNextWriter() {
    DotCounter dots = DotCounter.open(engine, 8);
    engine.failNextWrite(new StorageException("disk full"));
    assertThatThrownBy(() -> use(dots, engine, 0)).hasMessage("disk full");
    assertThat(dots.storedMark()).isZero();
    // The next counter is above the failed one and writes the mark itself.
    try (DotCounter.Ticket t = dots.issue(0)) {
      assertThat(t.counter()).isEqualTo(2);
      assertThat(t.extendsLease()).isTrue();
    }
  }

  @Test
  void aWriterAboveTheStoredMarkWaitsForTheLeaseWriter() throws Exception {
    DotCounter dots = DotCounter.open(engine, 8);
    FutureTask<Boolean> second =
        new FutureTask<>(
            () -> {
              try (DotCounter.Ticket t = dots.issue(0)) {
                return t.extendsLease();
              }
            });
    Thread waiter = new Thread(second, "second-writer");
    try (DotCounter.Ticket first = dots.issue(0)) {
      assertThat(first.extendsLease()).isTrue();
      waiter.start();
      // The second caller gets counter 2, above the stored mark 0: it must wait for this lease.
      while (waiter.getState() != Thread.State.WAITING) {
        assertThat(waiter.getState()).as("second caller did not wait").isNotEqualTo(Thread.State.TERMINATED);
        Thread.onSpinWait();
      }
      assertThat(second.isDone()).isFalse();
      engine.write(first.addTo(new WriteBatch()));
      first.written();
    }
    // Once the mark 9 is stored, counter 2 is covered: the second caller writes no mark.
    assertThat(second.get(10, TimeUnit.SECONDS)).isFalse();
    waiter.join();
  }

  @Test
  void neverRepeatsAcrossConcurrentCallersAndEveryUseIsCoveredByTheStoredMark() throws Exception {
    checkMarkCoversEveryUse(engine);
    DotCounter dots = DotCounter.open(engine, 4);
    int threads = 4;
    int perThread = 2_000;
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
                  // Some callers bring a floor from a context, as coordinate does.
                  long floor = (i % 97 == 0) ? dots.lastIssued() + thread : 0;
                  mine.add(use(dots, engine, floor));
                }
                return mine;
              }));
    }
    start.countDown();
    Set<Long> all = new HashSet<>();
    for (Future<List<Long>> f : futures) {
      for (long c : f.get(60, TimeUnit.SECONDS)) {
        assertThat(all.add(c)).as("counter %d handed out twice", c).isTrue();
      }
    }
    assertThat(all).hasSize(threads * perThread);
    long highest = all.stream().mapToLong(Long::longValue).max().orElseThrow();
    DotCounter reopened = DotCounter.open(engine, 4);
    assertThat(use(reopened, engine, 0)).isGreaterThan(highest);
  }

  @Test
  void perKeyCounterRowsOfAnOlderDataDirectoryAreCountedThenDeleted() {
    // Rows as the per-key counter kept them: 'c', then the data key; a big-endian long.
    for (int i = 0; i < 10_000; i++) {
      byte[] dataKey = new DataKey(i % 7, "b", new byte[] {(byte) i, (byte) (i >> 8)}).encode();
      byte[] key = new byte[1 + dataKey.length];
      key[0] = DotCounter.LEGACY_PREFIX;
      System.arraycopy(dataKey, 0, key, 1, dataKey.length);
      engine.write(new WriteBatch().put(Keyspace.META, key, DotCounter.encodeCounter(i == 4321 ? 777_777 : i % 50 + 1)));
    }
    engine.clearBatches();

    DotCounter dots = DotCounter.open(engine, 8);
    assertThat(dots.lastIssued()).isEqualTo(777_777);
    assertThat(storedMark(engine)).isEqualTo(777_777);
    assertThat(engine.batches().get(0).syncRequired()).isTrue();
    assertThat(engine.store.size(Keyspace.META)).isEqualTo(1); // the mark alone
    assertThat(use(dots, engine, 0)).isEqualTo(777_778);

    // Later opens find no rows and start at the mark.
    engine.clearBatches();
    assertThat(DotCounter.open(engine, 8).lastIssued()).isGreaterThan(777_778);
    assertThat(engine.batches()).isEmpty();
  }

  @Test
  void perKeyRowsBelowTheMarkAreDeletedWithoutLoweringIt() {
    engine.write(new WriteBatch().put(Keyspace.META, DotCounter.MARK_KEY, DotCounter.encodeCounter(500)));
    engine.write(new WriteBatch().put(Keyspace.META, new byte[] {'c', 0, 0, 0, 1}, DotCounter.encodeCounter(20)));
    DotCounter dots = DotCounter.open(engine, 8);
    assertThat(dots.lastIssued()).isEqualTo(500);
    assertThat(storedMark(engine)).isEqualTo(500);
    assertThat(engine.store.size(Keyspace.META)).isEqualTo(1);
  }

  @Test
  void aCorruptMarkIsAStorageError() {
    engine.write(new WriteBatch().put(Keyspace.META, DotCounter.MARK_KEY, new byte[] {1, 2, 3}));
    assertThatThrownBy(() -> DotCounter.open(engine, 8)).isInstanceOf(StorageException.class);
  }

  @Test
  void theCounterStopsAtItsLimitAndAFloorPastItChangesNothing() {
    long max = DotCounter.MAX_COUNTER;
    DotCounter dots = DotCounter.open(engine, 8);
    assertThat(use(dots, engine, 10)).isEqualTo(11);
    // A floor at or past the limit (only a forged record carries one) is refused and leaves the
    // counter where it was, so the node goes on issuing dots.
    assertThat(max).isLessThan(Long.MAX_VALUE - (1L << 31));
    assertThatThrownBy(() -> dots.issue(Long.MAX_VALUE)).isInstanceOf(StorageException.class);
    assertThatThrownBy(() -> dots.issue(Long.MAX_VALUE - 1)).isInstanceOf(StorageException.class);
    assertThatThrownBy(() -> dots.issue(max)).isInstanceOf(StorageException.class);
    assertThat(dots.lastIssued()).isEqualTo(11);
    assertThat(use(dots, engine, 0)).isEqualTo(12);
    // Right below the limit the last counter is issued, then the counter is exhausted, without
    // overflow and without changing.
    assertThat(use(dots, engine, max - 1)).isEqualTo(max);
    assertThat(storedMark(engine)).isEqualTo(max);
    assertThatThrownBy(() -> dots.issue(0)).isInstanceOf(StorageException.class);
    assertThat(dots.lastIssued()).isEqualTo(max);
    assertThatThrownBy(() -> DotCounter.open(engine, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNewDirectoryGetsAnEpochThatSurvivesRestartsAndAWipeGetsAnother() {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    java.util.concurrent.atomic.AtomicLong bits = new java.util.concurrent.atomic.AtomicLong(41);
    DotCounter first = DotCounter.open(engine, 8, bits::incrementAndGet);
    assertThat(first.epoch()).hasSize(8);
    NodeId n1 = NodeId.of("n1");
    assertThat(first.actor(n1).value()).isEqualTo("n1~" + first.epoch());
    use(first, engine, 0);
    // A restart keeps the epoch (and the counter goes on above the mark).
    DotCounter again = DotCounter.open(engine, 8, bits::incrementAndGet);
    assertThat(again.epoch()).isEqualTo(first.epoch());
    assertThat(use(again, engine, 0)).isGreaterThan(first.lastIssued());
    // A wiped directory (meta included) gets a new epoch: its counter may start again from zero.
    InMemoryStorageEngine wiped = new InMemoryStorageEngine();
    DotCounter fresh = DotCounter.open(wiped, 8, bits::incrementAndGet);
    assertThat(fresh.epoch()).isNotEqualTo(first.epoch());
    assertThat(fresh.actor(n1)).isNotEqualTo(first.actor(n1));
  }

  @Test
  void aDirectoryFromBeforeEpochsKeepsThePlainId() {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    DotCounter old = DotCounter.open(engine, 8); // no epochs: as a node of an earlier version
    use(old, engine, 0);
    DotCounter now = DotCounter.open(engine, 8, () -> 7L);
    assertThat(now.epoch()).isEmpty();
    assertThat(now.actor(NodeId.of("n1"))).isEqualTo(NodeId.of("n1"));
    assertThat(now.actor(NodeId.of("x".repeat(119))).value()).hasSize(119);
  }
}

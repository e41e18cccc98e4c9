package io.dynamo.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.InvalidContextException;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.core.version.Versioned;
import io.dynamo.core.version.WriteId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalReplicaTest {
  static final NodeId A = NodeId.of("a");
  static final NodeId B = NodeId.of("b");
  static final DataKey KEY = new DataKey(7, "bucket", bytes("key"));
  static final ConflictMode SIB = ConflictMode.SIBLINGS;

  final InMemoryStorageEngine engine = new InMemoryStorageEngine();
  final LocalReplica replica = new LocalReplica(engine, 10);
  ExecutorService pool;

  @AfterEach
  void shutdown() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  Versioned put(NodeId self, long now, VectorClock ctx, String value) {
    return replica.coordinate(KEY, self, now, ctx, false, bytes(value), SIB).created();
  }

  @Test
  void readingAnAbsentKeyGivesTheEmptySet() {
    assertThat(replica.read(KEY)).isEqualTo(SiblingSet.EMPTY);
    assertThat(engine.size(Keyspace.DATA)).isZero();
  }

  @Test
  void blindWritesThroughOneCoordinatorBecomeSiblings() {
    Versioned first = put(A, 100, VectorClock.EMPTY, "one");
    Versioned second = put(A, 100, VectorClock.EMPTY, "two");
    assertThat(first.dot()).isEqualTo(new Dot(A, 1, 100));
    assertThat(second.dot()).isEqualTo(new Dot(A, 2, 100));
    assertThat(second.context()).isEqualTo(VectorClock.EMPTY);
    SiblingSet stored = replica.read(KEY);
    assertThat(stored.versions()).containsExactlyInAnyOrder(first, second);
    assertThat(stored.values()).containsExactlyInAnyOrder(bytes("one"), bytes("two"));
  }

  static final WriteId ID = WriteId.of(bytes("write-1"));

  LocalReplica.Coordinated putWithId(LocalReplica at, NodeId self, long now, String value) {
    return at.coordinate(
        KEY, self, now, VectorClock.EMPTY, false, bytes(value), SIB, java.util.List.of(), ID);
  }

  @Test
  void aRetryReachingTheCoordinatorThatHasACopyMakesNoNewEvent() {
    LocalReplica.Coordinated first = putWithId(replica, A, 1, "v");
    LocalReplica.Coordinated retry = putWithId(replica, A, 2, "v");
    assertThat(retry.created()).isEqualTo(first.created());
    assertThat(retry.record()).isEqualTo(first.record());
    assertThat(replica.read(KEY).versions()).containsExactly(first.created());
    assertThat(first.created().writeId()).isEqualTo(ID);
    // A write without an id after it is another write: a new event, a sibling.
    Versioned other = put(A, 3, VectorClock.EMPTY, "v");
    assertThat(other.dot().counter()).isGreaterThan(first.created().dot().counter());
    assertThat(replica.read(KEY).versions()).hasSize(2);
  }

  @Test
  void copiesMadeByTwoCoordinatorsBecomeOneVersionWhereTheyMeet() {
    LocalReplica other = new LocalReplica(new InMemoryStorageEngine(), 10);
    LocalReplica.Coordinated atA = putWithId(replica, A, 1, "v");
    LocalReplica.Coordinated atB = putWithId(other, B, 2, "v");
    SiblingSet merged = replica.merge(KEY, atB.record(), SIB, null, 3);
    assertThat(merged.versions()).singleElement().satisfies(v -> {
      assertThat(v.dot()).isEqualTo(atA.created().dot());
      assertThat(v.aliases()).containsExactly(atB.created().dot());
    });
    assertThat(merged.values()).hasSize(1);
    // A retry through A now answers with a context covering both copies.
    LocalReplica.Coordinated retry = putWithId(replica, A, 4, "v");
    assertThat(retry.writerContext().covers(atA.created().dot())).isTrue();
    assertThat(retry.writerContext().covers(atB.created().dot())).isTrue();
    // Merging the other way round gives the same record, byte for byte.
    assertThat(VersionCodec.encodeSiblings(other.merge(KEY, atA.record(), SIB, null, 5)))
        .isEqualTo(replica.readRecord(KEY));
  }

  @Test
  void theWriterGetsAContextOnlyWhenItCoversNothingItDidNotSee() {
    LocalReplica.Coordinated first =
        replica.coordinate(KEY, A, 1, VectorClock.EMPTY, false, bytes("one"), SIB);
    assertThat(first.hasSiblings()).isFalse();
    assertThat(first.writerContext()).isEqualTo(first.created().clock());

    // A second blind write through A gets dot A:2; the clock {A:2} would also cover the sibling
    // A:1 that this writer never saw, so it gets no context and is told about the siblings.
    LocalReplica.Coordinated second =
        replica.coordinate(KEY, A, 2, VectorClock.EMPTY, false, bytes("two"), SIB);
    assertThat(second.hasSiblings()).isTrue();
    assertThat(second.writerContext()).isEqualTo(VectorClock.EMPTY);

    // A blind write through B leaves siblings too, but its clock {B:n} covers none of A's.
    LocalReplica.Coordinated third =
        replica.coordinate(KEY, B, 3, VectorClock.EMPTY, false, bytes("three"), SIB);
    assertThat(third.hasSiblings()).isTrue();
    assertThat(third.writerContext()).isEqualTo(third.created().clock());

    LocalReplica.Coordinated resolved =
        replica.coordinate(KEY, A, 4, replica.read(KEY).context(), false, bytes("merged"), SIB);
    assertThat(resolved.hasSiblings()).isFalse();
    assertThat(resolved.siblings().versions()).containsExactly(resolved.created());
    assertThat(resolved.writerContext()).isEqualTo(resolved.created().clock());
  }

  @Test
  void aWriteWithTheMergedContextResolvesSiblings() {
    put(A, 1, VectorClock.EMPTY, "one");
    put(A, 2, VectorClock.EMPTY, "two");
    replica.merge(KEY, SiblingSet.of(Versioned.value(new Dot(B, 1, 3), VectorClock.EMPTY, bytes("three"))), SIB);
    SiblingSet read = replica.read(KEY);
    assertThat(read.versions()).hasSize(3);
    Versioned resolved = put(A, 4, read.context(), "merged");
    assertThat(resolved.dot().counter()).isEqualTo(3);
    assertThat(replica.read(KEY).versions()).containsExactly(resolved);
    assertThat(replica.read(KEY).values()).containsExactly(bytes("merged"));
  }

  @Test
  void aWriteWithAnOldContextKeepsWhatItDidNotSee() {
    Versioned first = put(A, 1, VectorClock.EMPTY, "one");
    VectorClock seenFirst = replica.read(KEY).context();
    Versioned second = put(A, 2, VectorClock.EMPTY, "two");
    Versioned update = put(B, 3, seenFirst, "one-updated");
    assertThat(replica.read(KEY).versions())
        .containsExactlyInAnyOrder(second, update)
        .doesNotContain(first);
  }

  @Test
  void aContextClaimingAnEventThisNodeNeverIssuedIsRefusedAndChangesNothing() {
    put(A, 1, VectorClock.EMPTY, "one");
    byte[] before = replica.readRecord(KEY);
    // A has issued counter 1 only; a context with A:5 was forged (or corrupted).
    VectorClock ctx = VectorClock.of(new Dot(A, 5, 50));
    assertThatThrownBy(() -> put(A, 60, ctx, "v")).isInstanceOf(InvalidContextException.class);
    assertThat(replica.readRecord(KEY)).isEqualTo(before);
    assertThat(replica.lastIssuedCounter()).isEqualTo(1);
  }

  @Test
  void theCounterFollowsTheStoredVersionsWhenTheyAreAhead() {
    // Versions replicated to this node carry A:5 (a node that lost its counter gets them back by
    // repair): a context naming them is accepted, and the new dot goes past them.
    replica.merge(KEY, new SiblingSet(List.of(Versioned.value(new Dot(A, 5, 50), VectorClock.EMPTY, bytes("old")))), SIB);
    Versioned v = put(A, 60, VectorClock.of(new Dot(A, 5, 50)), "v");
    assertThat(v.dot()).isEqualTo(new Dot(A, 6, 60));
  }

  @Test
  void aDeleteStoresATombstone() {
    put(A, 1, VectorClock.EMPTY, "one");
    Versioned tomb =
        replica.coordinate(KEY, A, 2, replica.read(KEY).context(), true, new byte[0], SIB).created();
    assertThat(tomb.tombstone()).isTrue();
    SiblingSet stored = replica.read(KEY);
    assertThat(stored.versions()).containsExactly(tomb);
    assertThat(stored.deleted()).isTrue();
    assertThat(stored.values()).isEmpty();
  }

  @Test
  void lastWriteWinsKeepsOnlyTheLatest() {
    ConflictMode lww = ConflictMode.LAST_WRITE_WINS;
    replica.coordinate(KEY, A, 10, VectorClock.EMPTY, false, bytes("new"), lww);
    replica.coordinate(KEY, B, 5, VectorClock.EMPTY, false, bytes("old"), lww);
    assertThat(replica.read(KEY).values()).containsExactly(bytes("new"));
  }

  @Test
  void contextsArePrunedToTheConfiguredSize() {
    LocalReplica small = new LocalReplica(engine, 2);
    VectorClock ctx =
        VectorClock.of(
            new Dot(NodeId.of("n1"), 1, 10),
            new Dot(NodeId.of("n2"), 1, 30),
            new Dot(NodeId.of("n3"), 1, 20));
    Versioned v = small.coordinate(KEY, A, 40, ctx, false, bytes("v"), SIB).created();
    assertThat(v.context().counters().keySet())
        .containsExactlyInAnyOrder(NodeId.of("n2"), NodeId.of("n3"));
    assertThat(small.read(KEY).versions()).containsExactly(v);
  }

  @Test
  void applyingAVersionAgainChangesNothing() {
    Versioned v = Versioned.value(new Dot(B, 1, 3), VectorClock.EMPTY, bytes("b"));
    SiblingSet once = replica.merge(KEY, SiblingSet.of(v), SIB);
    byte[] raw = engine.get(Keyspace.DATA, KEY.encode());
    SiblingSet twice = replica.merge(KEY, SiblingSet.of(v), SIB);
    assertThat(twice).isEqualTo(once);
    assertThat(engine.get(Keyspace.DATA, KEY.encode())).isEqualTo(raw);
    // A version the replica has seen superseded is not resurrected.
    Versioned newer = put(A, 4, once.context(), "a");
    assertThat(replica.merge(KEY, SiblingSet.of(v), SIB).versions()).containsExactly(newer);
  }

  @Test
  void keysAreIndependentButShareTheNodeCounter() {
    DataKey other = new DataKey(7, "bucket", bytes("other"));
    put(A, 1, VectorClock.EMPTY, "one");
    Versioned v = replica.coordinate(other, A, 2, VectorClock.EMPTY, false, bytes("x"), SIB).created();
    // One counter for all keys: the other key's first dot is the node's second.
    assertThat(v.dot().counter()).isEqualTo(2);
    assertThat(replica.read(other).versions()).containsExactly(v);
    assertThat(replica.read(KEY).versions()).hasSize(1);
  }

  @Test
  void aCorruptRecordIsRefusedAndLeftUntouched() {
    put(A, 1, VectorClock.EMPTY, "one");
    byte[] raw = KEY.encode();
    byte[] corrupt = engine.get(Keyspace.DATA, raw);
    corrupt[corrupt.length / 2] ^= 0x10;
    engine.write(new WriteBatch().put(Keyspace.DATA, raw, corrupt));

    assertThatThrownBy(() -> replica.read(KEY))
        .isInstanceOf(StorageException.class)
        .hasCauseInstanceOf(MalformedVersionException.class);
    assertThatThrownBy(() -> put(A, 2, VectorClock.EMPTY, "two"))
        .isInstanceOf(StorageException.class);
    assertThatThrownBy(
            () -> replica.merge(KEY, SiblingSet.of(Versioned.value(new Dot(B, 1, 3), VectorClock.EMPTY, bytes("b"))), SIB))
        .isInstanceOf(StorageException.class);
    assertThatThrownBy(
            () -> replica.coordinate(KEY, A, 4, VectorClock.EMPTY, true, new byte[0], SIB))
        .isInstanceOf(StorageException.class);
    assertThat(engine.get(Keyspace.DATA, raw)).isEqualTo(corrupt);
    assertThat(engine.size(Keyspace.DATA)).isEqualTo(1);
  }

  @Test
  void aStoredRecordWithAValidChecksumButBadBodyIsAStorageError() {
    // Format 1, one version: node "a", counter 1, ts 9, empty context, tombstone, 1-byte value.
    byte[] body = {1, 1, 1, 'a', 1, 9, 0, 1, 1, 7};
    CRC32C crc = new CRC32C();
    crc.update(body, 0, body.length);
    int c = (int) crc.getValue();
    byte[] record = Arrays.copyOf(body, body.length + 4);
    record[body.length] = (byte) (c >>> 24);
    record[body.length + 1] = (byte) (c >>> 16);
    record[body.length + 2] = (byte) (c >>> 8);
    record[body.length + 3] = (byte) c;
    engine.write(new WriteBatch().put(Keyspace.DATA, KEY.encode(), record));
    assertThatThrownBy(() -> replica.read(KEY)).isInstanceOf(StorageException.class);
    assertThat(engine.get(Keyspace.DATA, KEY.encode())).isEqualTo(record);
  }

  @Test
  void concurrentWritesToOneKeyNeverLoseAVersion() throws Exception {
    int threads = 4;
    int perThread = 100;
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Versioned>>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      // Two threads coordinate as A, two as B: same-node writes race for the same counter.
      NodeId self = t % 2 == 0 ? A : B;
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                List<Versioned> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                  mine.add(put(self, i, VectorClock.EMPTY, thread + "/" + i));
                }
                return mine;
              }));
    }
    start.countDown();
    List<Versioned> created = new ArrayList<>();
    for (Future<List<Versioned>> f : futures) {
      created.addAll(f.get(30, TimeUnit.SECONDS));
    }
    SiblingSet stored = replica.read(KEY);
    assertThat(created).hasSize(threads * perThread);
    assertThat(stored.versions())
        .hasSize(threads * perThread)
        .containsExactlyInAnyOrderElementsOf(created);
    Set<String> dots = new HashSet<>();
    for (Versioned v : created) {
      assertThat(dots.add(v.dot().node() + ":" + v.dot().counter())).as("dot %s", v.dot()).isTrue();
    }
    // The replica keeps one counter for the node, shared by coordinators (in a cluster only the
    // node itself coordinates on its replica), so counters are unique but may skip numbers.
    assertThat(stored.highestCounter(A)).isBetween((long) threads / 2 * perThread, (long) threads * perThread);
    assertThat(stored.highestCounter(B)).isBetween((long) threads / 2 * perThread, (long) threads * perThread);
    // The stored bytes decode to the same set (what a restart would read).
    assertThat(VersionCodec.decodeSiblings(engine.get(Keyspace.DATA, KEY.encode())))
        .isEqualTo(stored);
  }

  @Test
  void concurrentReadModifyWritesAreEachEitherResolvedOrKept() throws Exception {
    // Threads repeatedly read, then write with what they read: each write supersedes exactly
    // what its writer read, so in the end the stored set is every write that no later write read.
    int threads = 4;
    int perThread = 50;
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Versioned>>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      NodeId self = NodeId.of("c" + t);
      futures.add(
          pool.submit(
              () -> {
                start.await();
                List<Versioned> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                  VectorClock ctx = replica.read(KEY).context();
                  mine.add(put(self, i, ctx, self + "/" + i));
                }
                return mine;
              }));
    }
    start.countDown();
    List<Versioned> created = new ArrayList<>();
    for (Future<List<Versioned>> f : futures) {
      created.addAll(f.get(30, TimeUnit.SECONDS));
    }
    Set<Versioned> expected = new HashSet<>();
    for (Versioned v : created) {
      if (created.stream().noneMatch(w -> w != v && w.supersedes(v))) {
        expected.add(v);
      }
    }
    assertThat(replica.read(KEY).versions()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(expected).isNotEmpty().hasSizeLessThanOrEqualTo(threads);
  }
}

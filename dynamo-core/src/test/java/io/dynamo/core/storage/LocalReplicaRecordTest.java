package io.dynamo.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.core.version.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records encoded once: what coordinate stores is what it returns, and merged records are reused. */
class LocalReplicaRecordTest {
  static final NodeId A = NodeId.of("a");
  static final NodeId B = NodeId.of("b");
  static final NodeId HOME = NodeId.of("home");
  static final DataKey KEY = new DataKey(3, "bucket", bytes("key"));
  static final ConflictMode SIB = ConflictMode.SIBLINGS;

  final RecordingStorageEngine engine = new RecordingStorageEngine();
  final LocalReplica replica = new LocalReplica(engine, 10);

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  LocalReplica.Coordinated put(LocalReplica at, long now, VectorClock ctx, String value) {
    return at.coordinate(KEY, A, now, ctx, false, bytes(value), SIB);
  }

  byte[] hintBody(NodeId target) {
    byte[] value = engine.store.get(Keyspace.HINTS, Hint.encodeKey(target, KEY.encode()));
    return value == null ? null : Arrays.copyOfRange(value, Long.BYTES, value.length);
  }

  @Test
  void theRecordIsExactlyWhatIsStored() {
    LocalReplica.Coordinated first = put(replica, 1, VectorClock.EMPTY, "one");
    assertThat(first.record()).isEqualTo(engine.store.get(Keyspace.DATA, KEY.encode()));
    assertThat(VersionCodec.decodeSiblings(first.record())).isEqualTo(first.siblings());
    LocalReplica.Coordinated second = put(replica, 2, VectorClock.EMPTY, "two");
    assertThat(second.record()).isEqualTo(engine.store.get(Keyspace.DATA, KEY.encode()));
    assertThat(second.record()).isEqualTo(VersionCodec.encodeSiblings(second.siblings()));
    assertThat(replica.readRecord(KEY)).isEqualTo(second.record());
  }

  @Test
  void aWriteThatChangesNothingReturnsTheStoredRecordAndWritesNoData() {
    ConflictMode lww = ConflictMode.LAST_WRITE_WINS;
    LocalReplica.Coordinated newer = replica.coordinate(KEY, A, 100, VectorClock.EMPTY, false, bytes("new"), lww);
    engine.clearBatches();
    LocalReplica.Coordinated older = replica.coordinate(KEY, A, 5, VectorClock.EMPTY, false, bytes("old"), lww);
    assertThat(older.siblings()).isEqualTo(newer.siblings());
    assertThat(older.record()).isEqualTo(newer.record());
    assertThat(engine.batches()).isEmpty();
  }

  @Test
  void readRecordGivesTheStoredBytesUndecoded() {
    assertThat(replica.readRecord(KEY)).isNull();
    put(replica, 1, VectorClock.EMPTY, "one");
    byte[] corrupt = engine.store.get(Keyspace.DATA, KEY.encode());
    corrupt[corrupt.length - 1] ^= 1;
    engine.store.write(new WriteBatch().put(Keyspace.DATA, KEY.encode(), corrupt));
    // Not checked here: the receiver decodes it and finds the bad checksum.
    assertThat(replica.readRecord(KEY)).isEqualTo(corrupt);
    assertThatThrownBy(() -> replica.read(KEY)).isInstanceOf(StorageException.class);
  }

  @Test
  void aMergedRecordThatIsTheResultIsStoredAsItIs() {
    LocalReplica source = new LocalReplica(new InMemoryStorageEngine(), 10);
    put(source, 1, VectorClock.EMPTY, "one");
    byte[] incoming = put(source, 2, VectorClock.EMPTY, "two").record();

    SiblingSet stored = replica.merge(KEY, incoming, SIB, null, 0);
    assertThat(stored).isEqualTo(VersionCodec.decodeSiblings(incoming));
    assertThat(engine.store.get(Keyspace.DATA, KEY.encode())).isEqualTo(incoming);
    assertThat(engine.batches()).hasSize(1);

    // The same record again, or an older one it supersedes, changes nothing and writes nothing.
    replica.merge(KEY, incoming, SIB, null, 0);
    replica.merge(KEY, SiblingSet.of(stored.versions().get(0)), SIB);
    assertThat(engine.batches()).hasSize(1);
  }

  @Test
  void aMergedRecordBesideSiblingsIsStoredAsTheirUnion() {
    Versioned mine = put(replica, 1, VectorClock.EMPTY, "mine").created();
    Versioned theirs = Versioned.value(new Dot(B, 1, 2), VectorClock.EMPTY, bytes("theirs"));
    byte[] incoming = VersionCodec.encodeSiblings(SiblingSet.of(theirs));
    SiblingSet stored = replica.merge(KEY, incoming, SIB, null, 0);
    assertThat(stored.versions()).containsExactlyInAnyOrder(mine, theirs);
    assertThat(engine.store.get(Keyspace.DATA, KEY.encode())).isEqualTo(VersionCodec.encodeSiblings(stored));
  }

  @Test
  void aMalformedRecordIsRefusedBeforeAnythingIsWritten() {
    byte[] good = VersionCodec.encodeSiblings(
        SiblingSet.of(Versioned.value(new Dot(B, 1, 2), VectorClock.EMPTY, bytes("v"))));
    byte[] bad = good.clone();
    bad[bad.length / 2] ^= 0x20;
    assertThatThrownBy(() -> replica.merge(KEY, bad, SIB, HOME, 5))
        .isInstanceOf(MalformedVersionException.class);
    assertThatThrownBy(() -> replica.merge(KEY, new byte[] {1, 2}, SIB, null, 5))
        .isInstanceOf(MalformedVersionException.class);
    assertThat(engine.batches()).isEmpty();
    assertThat(engine.store.size(Keyspace.DATA)).isZero();
    assertThat(engine.store.size(Keyspace.HINTS)).isZero();
  }

  @Test
  void hintsReuseTheRecordAndAreNotRewrittenWhenNothingIsNew() {
    LocalReplica.Coordinated c =
        replica.coordinate(KEY, A, 7, VectorClock.EMPTY, false, bytes("v"), SIB, List.of(HOME));
    assertThat(hintBody(HOME)).isEqualTo(c.record());

    RecordingStorageEngine other = new RecordingStorageEngine();
    LocalReplica substitute = new LocalReplica(other, 10);
    substitute.merge(KEY, c.record(), SIB, HOME, 9);
    assertThat(other.store.get(Keyspace.DATA, KEY.encode())).isEqualTo(c.record());
    byte[] hint = other.store.get(Keyspace.HINTS, Hint.encodeKey(HOME, KEY.encode()));
    assertThat(Arrays.copyOfRange(hint, Long.BYTES, hint.length)).isEqualTo(c.record());
    assertThat(other.batches()).hasSize(1);
    // A retry of the same replica write finds data and hint holding it already.
    substitute.merge(KEY, c.record(), SIB, HOME, 10);
    assertThat(other.batches()).hasSize(1);
    assertThat(substitute.hintsFor(HOME, 10)).singleElement()
        .satisfies(h -> assertThat(h.createdAtMillis()).isEqualTo(9));
  }

  @Test
  void coordinatedKeepsTheTwoArgumentConstructor() {
    Versioned v = Versioned.value(new Dot(A, 1, 1), VectorClock.EMPTY, bytes("v"));
    LocalReplica.Coordinated c = new LocalReplica.Coordinated(v, SiblingSet.of(v));
    assertThat(c.record()).isEqualTo(VersionCodec.encodeSiblings(SiblingSet.of(v)));
    assertThat(c).isEqualTo(new LocalReplica.Coordinated(v, SiblingSet.of(v), c.record().clone()));
  }
}

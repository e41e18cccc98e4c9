package io.dynamo.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyLimitsTest {
  static final NodeId A = NodeId.of("a");
  static final NodeId B = NodeId.of("b");
  static final DataKey KEY = new DataKey(3, "limited", "k".getBytes(StandardCharsets.UTF_8));

  final InMemoryStorageEngine engine = new InMemoryStorageEngine();

  LocalReplica replica(KeyLimits limits) {
    return new LocalReplica(engine, 10, DotCounter.DEFAULT_LEASE_BLOCK, bucket -> limits);
  }

  static LocalReplica.Coordinated blind(LocalReplica replica, String value) {
    return replica.coordinate(
        KEY, A, 1, VectorClock.EMPTY, false, value.getBytes(StandardCharsets.UTF_8), ConflictMode.SIBLINGS);
  }

  @Test
  void aWritePastTheSiblingLimitIsRefusedAndTheKeyStaysReadableAndResolvable() {
    LocalReplica replica = replica(new KeyLimits(2, 3, 1 << 20, 2 << 20));
    for (int i = 0; i < 3; i++) {
      blind(replica, "v" + i);
    }
    byte[] before = replica.readRecord(KEY);

    assertThatThrownBy(() -> blind(replica, "v3"))
        .isInstanceOf(KeyLimitException.class)
        .satisfies(e -> assertThat(((KeyLimitException) e).kind()).isEqualTo(KeyLimitException.Kind.TOO_MANY_SIBLINGS))
        .hasMessageContaining("over the bucket's limit of 3");
    assertThat(replica.readRecord(KEY)).as("nothing stored").isEqualTo(before);

    SiblingSet read = replica.read(KEY);
    assertThat(read.values()).hasSize(3);
    LocalReplica.Coordinated resolved =
        replica.coordinate(
            KEY, B, 2, read.context(), false, "merged".getBytes(StandardCharsets.UTF_8), ConflictMode.SIBLINGS);
    assertThat(resolved.siblings().versions()).hasSize(1);
    assertThat(VersionCodec.decodeSiblings(replica.readRecord(KEY)).versions()).hasSize(1);
  }

  @Test
  void aWritePastTheRecordSizeLimitIsRefused() {
    LocalReplica replica = replica(new KeyLimits(25, 100, 1_000, 3_000));
    blind(replica, "x".repeat(1_200));
    blind(replica, "y".repeat(1_200));
    byte[] before = replica.readRecord(KEY);

    assertThatThrownBy(() -> blind(replica, "z".repeat(1_200)))
        .isInstanceOf(KeyLimitException.class)
        .satisfies(e -> assertThat(((KeyLimitException) e).kind()).isEqualTo(KeyLimitException.Kind.RECORD_TOO_LARGE));
    assertThat(replica.readRecord(KEY)).isEqualTo(before);
  }

  @Test
  void aKeyAlreadyPastALimitCanStillBeWrittenWithoutGrowing() {
    // Merges (never refused) took the key past the limit; a put with part of the context read
    // replaces one sibling with another, which does not grow the key, so it is not refused.
    LocalReplica unlimited = new LocalReplica(engine, 10);
    for (int i = 0; i < 4; i++) {
      blind(unlimited, "v" + i);
    }
    LocalReplica limited = replica(new KeyLimits(1, 2, 1 << 20, 2 << 20));
    SiblingSet read = limited.read(KEY);
    VectorClock one = read.versions().get(0).clock();
    LocalReplica.Coordinated written =
        limited.coordinate(KEY, A, 3, one, false, "w".getBytes(StandardCharsets.UTF_8), ConflictMode.SIBLINGS);
    assertThat(written.siblings().versions()).hasSize(4);
  }

  @Test
  void pastWarningReportsBothLevels() {
    KeyLimits limits = new KeyLimits(2, 3, 100, 200);
    assertThat(limits.pastWarning(2, 100)).isFalse();
    assertThat(limits.pastWarning(3, 10)).isTrue();
    assertThat(limits.pastWarning(1, 101)).isTrue();
  }

  @Test
  void levelsMustBeOrdered() {
    assertThatThrownBy(() -> new KeyLimits(5, 4, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeyLimits(1, 1, 10, 9)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeyLimits(1, 5000, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}

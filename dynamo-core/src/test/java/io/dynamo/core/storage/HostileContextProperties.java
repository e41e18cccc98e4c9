package io.dynamo.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.ContextLimits;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.InvalidContextException;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever context a client sends, through whichever of two replicas: either the write is refused
 * as a bad context and nothing changes (not the key, not the node's counter), or it is accepted;
 * either way every later write of the key, through either node, blind or with the context it
 * hands out, still succeeds, and no counter gets anywhere near the end of a long. Counters are
 * drawn with a bias to the edges (the overflow that once poisoned a key lived at 2^63-2).
 */
class HostileContextProperties {
  static final NodeId X = NodeId.of("x");
  static final NodeId Y = NodeId.of("y");
  static final DataKey KEY = new DataKey(3, "b", "k".getBytes(StandardCharsets.UTF_8));
  static final ConflictMode SIB = ConflictMode.SIBLINGS;
  static final long UNSEEN = ContextLimits.MAX_UNSEEN_COUNTER;

  @Provide
  Arbitrary<Long> counters() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(1, 8),
        Arbitraries.longs().between(UNSEEN - 2, UNSEEN + 2),
        Arbitraries.longs().between(Long.MAX_VALUE - 3, Long.MAX_VALUE),
        Arbitraries.longs().greaterOrEqual(1));
  }

  @Provide
  Arbitrary<Long> timestamps() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, 2_000_000_000_000L),
        Arbitraries.longs().between(ContextLimits.MAX_TIMESTAMP_MILLIS - 2, Long.MAX_VALUE));
  }

  @Property(tries = 1000)
  void aContextIsRefusedAndChangesNothingOrTheKeyStaysWritable(
      @ForAll("counters") long forX,
      @ForAll("counters") long forY,
      @ForAll("timestamps") long timestamp,
      @ForAll boolean throughX,
      @ForAll boolean twice) {
    LocalReplica x = new LocalReplica(new InMemoryStorageEngine(), 10, 4);
    LocalReplica y = new LocalReplica(new InMemoryStorageEngine(), 10, 4);
    // Some history first, so that the counters are not at zero.
    for (int i = 0; i < 3; i++) {
      replicate(x.coordinate(KEY, X, 1_000 + i, VectorClock.EMPTY, false, new byte[] {1}, SIB), y);
    }
    VectorClock context = VectorClock.of(new Dot(X, forX, timestamp), new Dot(Y, forY, timestamp));
    // The same forged context may come twice, through both nodes.
    for (int round = 0; round < (twice ? 2 : 1); round++) {
      boolean viaX = throughX ^ (round == 1);
      LocalReplica via = viaX ? x : y;
      byte[] before = via.readRecord(KEY);
      long counterBefore = via.lastIssuedCounter();
      try {
        VectorClock checked = ContextLimits.check(context);
        replicate(via.coordinate(KEY, viaX ? X : Y, 2_000, checked, false, new byte[] {2}, SIB), viaX ? y : x);
      } catch (InvalidContextException e) {
        assertThat(via.readRecord(KEY)).isEqualTo(before);
        assertThat(via.lastIssuedCounter()).isEqualTo(counterBefore);
      }
    }
    for (LocalReplica r : List.of(x, y)) {
      NodeId id = r == x ? X : Y;
      LocalReplica.Coordinated blind =
          r.coordinate(KEY, id, 3_000, VectorClock.EMPTY, false, new byte[] {3}, SIB);
      replicate(blind, r == x ? y : x);
      LocalReplica.Coordinated updated =
          r.coordinate(KEY, id, 3_001, r.read(KEY).context(), false, new byte[] {4}, SIB);
      replicate(updated, r == x ? y : x);
      assertThat(r.lastIssuedCounter()).isLessThanOrEqualTo(UNSEEN + 10);
    }
    // And the context read from either replica is accepted by the other.
    VectorClock read = x.read(KEY).context();
    y.coordinate(KEY, Y, 4_000, read, false, new byte[] {5}, SIB);
  }

  @Property(tries = 200)
  void timestampsOutOfRangeAreRefusedAtTheDoor(
      @ForAll("counters") long counter, @ForAll("timestamps") long timestamp) {
    VectorClock context = VectorClock.of(new Dot(Y, counter, timestamp));
    if (timestamp <= ContextLimits.MAX_TIMESTAMP_MILLIS) {
      assertThat(ContextLimits.check(context)).isSameAs(context);
    } else {
      assertThatThrownBy(() -> ContextLimits.check(context))
          .isInstanceOf(InvalidContextException.class);
    }
    assertThat(VersionCodec.decodeClock(VersionCodec.encodeClock(context))).isEqualTo(context);
  }

  @Property(tries = 200)
  void anOwnCounterAboveWhatTheNodeIssuedIsRefused(@ForAll("counters") long claimed) {
    LocalReplica x = new LocalReplica(new InMemoryStorageEngine(), 10, 4);
    x.coordinate(KEY, X, 1, VectorClock.EMPTY, false, new byte[] {1}, SIB);
    long issued = x.lastIssuedCounter();
    VectorClock context = VectorClock.of(new Dot(X, claimed, 1));
    if (claimed <= issued) {
      x.coordinate(KEY, X, 2, context, false, new byte[] {2}, SIB);
    } else {
      assertThatThrownBy(() -> x.coordinate(KEY, X, 2, context, false, new byte[] {2}, SIB))
          .isInstanceOf(InvalidContextException.class);
      assertThat(x.lastIssuedCounter()).isEqualTo(issued);
    }
  }

  @Property(tries = 200)
  void anotherNodesCounterIsBoundedUnlessTheKeyShowsItHigher(@ForAll("counters") long claimed) {
    LocalReplica x = new LocalReplica(new InMemoryStorageEngine(), 10, 4);
    VectorClock context = VectorClock.of(new Dot(Y, claimed, 1));
    if (claimed <= UNSEEN) {
      x.coordinate(KEY, X, 2, context, false, new byte[] {2}, SIB);
    } else {
      assertThatThrownBy(() -> x.coordinate(KEY, X, 2, context, false, new byte[] {2}, SIB))
          .isInstanceOf(InvalidContextException.class);
    }
  }

  private static void replicate(LocalReplica.Coordinated written, LocalReplica to) {
    to.merge(KEY, written.record(), SIB, null, 0);
  }
}

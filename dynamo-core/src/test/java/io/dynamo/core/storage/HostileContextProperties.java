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
 * Whatever context a client sends, through whichever node: either the write is refused as a bad
 * context and nothing changes (not the key, not any node's counter), or it is accepted and every
 * later write of the key, through every node, still succeeds. Counters are drawn with a bias to
 * the edges of the range (the overflow that once poisoned a key lived at 2^63-2).
 */
class HostileContextProperties {
  static final NodeId X = NodeId.of("x");
  static final NodeId Y = NodeId.of("y");
  static final DataKey KEY = new DataKey(3, "b", "k".getBytes(StandardCharsets.UTF_8));

  @Provide
  Arbitrary<Long> counters() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(1, 20),
        Arbitraries.longs().between(ContextLimits.MAX_COUNTER - 3, ContextLimits.MAX_COUNTER + 3),
        Arbitraries.longs().between(Long.MAX_VALUE - 3, Long.MAX_VALUE),
        Arbitraries.longs().greaterOrEqual(1));
  }

  @Provide
  Arbitrary<Long> timestamps() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, 2_000_000_000_000L),
        Arbitraries.longs().between(ContextLimits.MAX_TIMESTAMP_MILLIS - 2, Long.MAX_VALUE));
  }

  @Property(tries = 300)
  void aContextEitherIsRefusedAndChangesNothingOrLeavesTheKeyWritable(
      @ForAll("counters") long forX,
      @ForAll("counters") long forY,
      @ForAll("timestamps") long timestamp,
      @ForAll boolean throughX) {
    InMemoryStorageEngine xDisk = new InMemoryStorageEngine();
    InMemoryStorageEngine yDisk = new InMemoryStorageEngine();
    LocalReplica x = new LocalReplica(xDisk, 10, 4);
    LocalReplica y = new LocalReplica(yDisk, 10, 4);
    // Some history first, so the node counters are not at zero.
    for (int i = 0; i < 3; i++) {
      replicate(x.coordinate(KEY, X, 1_000 + i, VectorClock.EMPTY, false, new byte[] {1}, SIB), y);
    }
    VectorClock context =
        VectorClock.of(new Dot(X, forX, timestamp), new Dot(Y, forY, timestamp));

    LocalReplica via = throughX ? x : y;
    NodeId self = throughX ? X : Y;
    byte[] before = via.readRecord(KEY);
    long counterBefore = counter(via);
    boolean accepted;
    try {
      VectorClock checked = ContextLimits.check(context);
      replicate(via.coordinate(KEY, self, 2_000, checked, false, new byte[] {2}, SIB), throughX ? y : x);
      accepted = true;
    } catch (InvalidContextException e) {
      accepted = false;
      assertThat(via.readRecord(KEY)).isEqualTo(before);
      assertThat(counter(via)).isEqualTo(counterBefore);
    }
    if (accepted) {
      assertThat(forX).isLessThanOrEqualTo(ContextLimits.MAX_COUNTER);
      assertThat(forY).isLessThanOrEqualTo(ContextLimits.MAX_COUNTER);
    }
    // Whatever happened, both nodes go on coordinating writes of the key, blind and with the
    // context they hand out, and their counters stay far from the end of a long.
    for (LocalReplica r : List.of(x, y)) {
      NodeId id = r == x ? X : Y;
      LocalReplica.Coordinated blind =
          r.coordinate(KEY, id, 3_000, VectorClock.EMPTY, false, new byte[] {3}, SIB);
      replicate(blind, r == x ? y : x);
      r.coordinate(KEY, id, 3_001, blind.created().clock(), false, new byte[] {4}, SIB);
      assertThat(counter(r)).isLessThanOrEqualTo(ContextLimits.MAX_COUNTER);
    }
  }

  @Property(tries = 200)
  void contextsOutOfRangeAreRefusedAtTheDoor(
      @ForAll("counters") long counter, @ForAll("timestamps") long timestamp) {
    VectorClock context = VectorClock.of(new Dot(Y, counter, timestamp));
    boolean inRange =
        counter <= ContextLimits.MAX_COUNTER && timestamp <= ContextLimits.MAX_TIMESTAMP_MILLIS;
    if (inRange) {
      assertThat(ContextLimits.check(context)).isSameAs(context);
    } else {
      assertThatThrownBy(() -> ContextLimits.check(context))
          .isInstanceOf(InvalidContextException.class);
    }
    // What the codec round-trips is what was checked: bounds hold on the decoded form too.
    assertThat(VersionCodec.decodeClock(VersionCodec.encodeClock(context))).isEqualTo(context);
  }

  @Property(tries = 100)
  void anOwnCounterAboveWhatTheNodeIssuedIsRefused(@ForAll("counters") long claimed) {
    LocalReplica x = new LocalReplica(new InMemoryStorageEngine(), 10, 4);
    x.coordinate(KEY, X, 1, VectorClock.EMPTY, false, new byte[] {1}, SIB);
    long issued = counter(x);
    VectorClock context = VectorClock.of(new Dot(X, claimed, 1));
    if (claimed <= issued) {
      x.coordinate(KEY, X, 2, context, false, new byte[] {2}, SIB);
    } else {
      assertThatThrownBy(() -> x.coordinate(KEY, X, 2, context, false, new byte[] {2}, SIB))
          .isInstanceOf(InvalidContextException.class);
      assertThat(counter(x)).isEqualTo(issued);
    }
  }

  static final ConflictMode SIB = ConflictMode.SIBLINGS;

  private static void replicate(LocalReplica.Coordinated written, LocalReplica to) {
    to.merge(KEY, written.record(), SIB, null, 0);
  }

  /** The node's counter as the next write would see it: the highest issued. */
  private static long counter(LocalReplica r) {
    return r.lastIssuedCounter();
  }
}

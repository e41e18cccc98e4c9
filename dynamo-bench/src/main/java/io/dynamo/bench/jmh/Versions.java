package io.dynamo.bench.jmh;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.Versioned;
import java.util.SplittableRandom;

/**
 * Realistic versions for the benchmarks: a key written many times through three coordinators, so
 * contexts carry three clock entries, with values of random (incompressible) bytes.
 */
final class Versions {
  static final NodeId[] NODES = {NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")};
  /** A plausible wall-clock time, so timestamps take their usual varint size. */
  static final long NOW = 1_790_000_000_000L;

  private Versions() {}

  /** What a client read after a history of writes: {n1:41, n2:17, n3:29}. */
  static VectorClock history() {
    return VectorClock.of(
        new Dot(NODES[0], 41, NOW - 3_000), new Dot(NODES[1], 17, NOW - 2_000),
        new Dot(NODES[2], 29, NOW - 1_000));
  }

  static byte[] value(int size, long seed) {
    byte[] v = new byte[size];
    new SplittableRandom(seed).nextBytes(v);
    return v;
  }

  /**
   * The {@code i}-th of several concurrent writes that all read {@link #history()}: coordinated by
   * different nodes (round robin), none covering another.
   */
  static Versioned concurrentWrite(int i, int valueSize) {
    NodeId node = NODES[i % NODES.length];
    VectorClock read = history();
    long counter = read.counter(node) + 1 + i / NODES.length;
    return Versioned.value(new Dot(node, counter, NOW + i), read, value(valueSize, i));
  }

  /** {@code count} concurrent siblings; a set of one is the common, settled case. */
  static SiblingSet siblings(int count, int valueSize) {
    Versioned[] versions = new Versioned[count];
    for (int i = 0; i < count; i++) {
      versions[i] = concurrentWrite(i, valueSize);
    }
    SiblingSet set = SiblingSet.of(versions);
    if (set.versions().size() != count) {
      throw new IllegalStateException("expected " + count + " siblings, got " + set.versions());
    }
    return set;
  }

  /** A write that read {@code set} (its context covers every version there), through {@code node}. */
  static Versioned successorOf(SiblingSet set, NodeId node, int valueSize) {
    VectorClock read = set.context();
    return Versioned.value(
        new Dot(node, read.counter(node) + 1, NOW + 10_000), read, value(valueSize, 99));
  }
}

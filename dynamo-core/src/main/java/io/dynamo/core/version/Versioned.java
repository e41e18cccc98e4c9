package io.dynamo.core.version;

import java.util.Arrays;
import java.util.Objects;

/**
 * One version of a key as replicas store it (a dotted version): the event that created it, the
 * causal context its writer had read, and the value or a tombstone. A version makes obsolete exactly
 * the versions whose dots its context covers; comparing dots rather than whole clocks is what keeps
 * two blind writes through the same coordinator from silently overwriting each other.
 */
public record Versioned(Dot dot, VectorClock context, boolean tombstone, byte[] value) {
  private static final byte[] NO_VALUE = new byte[0];

  public Versioned {
    Objects.requireNonNull(dot, "dot");
    Objects.requireNonNull(context, "context");
    value = value == null ? NO_VALUE : value;
    if (tombstone && value.length > 0) {
      throw new IllegalArgumentException("a tombstone has no value");
    }
  }

  public static Versioned value(Dot dot, VectorClock context, byte[] value) {
    return new Versioned(dot, context, false, Objects.requireNonNull(value, "value"));
  }

  public static Versioned tombstone(Dot dot, VectorClock context) {
    return new Versioned(dot, context, true, NO_VALUE);
  }

  /** Whether this version's writer had seen {@code other}, so {@code other} is obsolete. */
  public boolean supersedes(Versioned other) {
    return context.covers(other.dot);
  }

  /** Everything this version knows of: its context plus its own event. */
  public VectorClock clock() {
    return context.with(dot);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Versioned v
        && dot.equals(v.dot)
        && context.equals(v.context)
        && tombstone == v.tombstone
        && Arrays.equals(value, v.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dot, context, tombstone) * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Versioned{dot=" + dot.node() + ":" + dot.counter() + ", context=" + context
        + (tombstone ? ", tombstone" : ", " + value.length + " bytes") + "}";
  }
}

package io.dynamo.core.version;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One version of a key as replicas store it (a dotted version): the event that created it, the
 * causal context its writer had read, and the value or a tombstone. A version makes obsolete exactly
 * the versions whose dots its context covers; comparing dots rather than whole clocks is what keeps
 * two blind writes through the same coordinator from silently overwriting each other.
 *
 * <p>A version may carry the {@link WriteId} its client chose. Each attempt at one write (a first
 * try and its retries through other coordinators) makes its own event; where two such copies meet
 * they become one version whose {@code dot} is the smallest of their events and whose {@code
 * aliases} are the others (see {@link SiblingSet}). Every event is part of the version's {@link
 * #clock()}, so a context read from it covers every copy. Versions without a write id (data written
 * before ids existed, replica-internal writes) have no aliases and behave as they always did.
 *
 * @param writeId the client's id for the write, or null when it has none
 * @param aliases the other events of the same write, sorted, each after {@code dot} in dot order
 */
public record Versioned(
    Dot dot,
    VectorClock context,
    boolean tombstone,
    byte[] value,
    WriteId writeId,
    List<Dot> aliases) {
  private static final byte[] NO_VALUE = new byte[0];

  /** The order of a version's events: the smallest is its {@code dot}. */
  public static final Comparator<Dot> DOT_ORDER =
      Comparator.comparing(Dot::node).thenComparingLong(Dot::counter);

  public Versioned {
    Objects.requireNonNull(dot, "dot");
    Objects.requireNonNull(context, "context");
    value = value == null ? NO_VALUE : value;
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
    if (tombstone && value.length > 0) {
      throw new IllegalArgumentException("a tombstone has no value");
    }
    if (!aliases.isEmpty() && writeId == null) {
      throw new IllegalArgumentException("only a version with a write id has aliases");
    }
    Dot previous = dot;
    for (Dot alias : aliases) {
      if (DOT_ORDER.compare(previous, alias) >= 0) {
        throw new IllegalArgumentException(
            "aliases must be sorted and after the version's dot: " + previous + " then " + alias);
      }
      previous = alias;
    }
  }

  /** A version without a write id. */
  public Versioned(Dot dot, VectorClock context, boolean tombstone, byte[] value) {
    this(dot, context, tombstone, value, null, List.of());
  }

  public static Versioned value(Dot dot, VectorClock context, byte[] value) {
    return new Versioned(dot, context, false, Objects.requireNonNull(value, "value"));
  }

  public static Versioned tombstone(Dot dot, VectorClock context) {
    return new Versioned(dot, context, true, NO_VALUE);
  }

  /** This version with the client's write id {@code id} (null: none). */
  public Versioned withWriteId(WriteId id) {
    return new Versioned(dot, context, tombstone, value, id, aliases);
  }

  /** Every event of this version: its dot, then its aliases. */
  public List<Dot> dots() {
    if (aliases.isEmpty()) {
      return List.of(dot);
    }
    List<Dot> out = new ArrayList<>(aliases.size() + 1);
    out.add(dot);
    out.addAll(aliases);
    return out;
  }

  /**
   * Whether this version's writer had seen all of {@code other}, so {@code other} is obsolete. A
   * writer that saw only some copies of a write makes only those obsolete (see {@link
   * #withoutEventsCoveredBy}).
   */
  public boolean supersedes(Versioned other) {
    return other.coveredBy(context);
  }

  /** Whether {@code clock} covers every event of this version. */
  public boolean coveredBy(VectorClock clock) {
    if (!clock.covers(dot)) {
      return false;
    }
    for (Dot alias : aliases) {
      if (!clock.covers(alias)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether this and {@code other} are copies of one client write: the same write id and the same
   * value (or both tombstones). A client that reused an id for another value made two writes,
   * which stay siblings; uniting them would leave replicas with different values under the same
   * events, depending on the order copies met.
   */
  public boolean sameWrite(Versioned other) {
    return writeId != null
        && writeId.equals(other.writeId)
        && tombstone == other.tombstone
        && Arrays.equals(value, other.value);
  }

  /**
   * The one version two copies of a write become: every event of both (the smallest as the dot),
   * the join of their contexts, and the value or tombstone of the copy with the smaller dot.
   * Copies of one write carry the same context and value (the retry sends the same request), so
   * the choice only has to be deterministic, which makes uniting commutative and associative.
   */
  public Versioned unite(Versioned other) {
    if (!sameWrite(other)) {
      throw new IllegalArgumentException("not copies of one write: " + this + " and " + other);
    }
    List<Dot> all = new ArrayList<>(dots());
    for (Dot d : other.dots()) {
      if (all.stream().noneMatch(d::sameEvent)) {
        all.add(d);
      }
    }
    all.sort(DOT_ORDER);
    Versioned payload = DOT_ORDER.compare(dot, other.dot) <= 0 ? this : other;
    return new Versioned(
        all.get(0),
        context.merge(other.context),
        payload.tombstone,
        payload.value,
        writeId,
        all.subList(1, all.size()));
  }

  /**
   * This version without the events {@code clock} covers: this when it covers none, null when it
   * covers all (the version is obsolete). A copy a writer saw is made obsolete; the copies it did
   * not see stay, as the write, beside the writer's version.
   */
  public Versioned withoutEventsCoveredBy(VectorClock clock) {
    if (aliases.isEmpty()) {
      return clock.covers(dot) ? null : this;
    }
    List<Dot> left = new ArrayList<>(aliases.size() + 1);
    for (Dot d : dots()) {
      if (!clock.covers(d)) {
        left.add(d);
      }
    }
    if (left.isEmpty()) {
      return null;
    }
    if (left.size() == aliases.size() + 1) {
      return this;
    }
    return new Versioned(
        left.get(0), context, tombstone, value, writeId, left.subList(1, left.size()));
  }

  /** Everything this version knows of: its context plus its own events. */
  public VectorClock clock() {
    VectorClock out = context.with(dot);
    for (Dot alias : aliases) {
      out = out.with(alias);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Versioned v
        && dot.equals(v.dot)
        && context.equals(v.context)
        && tombstone == v.tombstone
        && Arrays.equals(value, v.value)
        && Objects.equals(writeId, v.writeId)
        && aliases.equals(v.aliases);
  }

  @Override
  public int hashCode() {
    return (Objects.hash(dot, context, tombstone, writeId, aliases)) * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Versioned{dot=").append(dot.node()).append(':')
        .append(dot.counter());
    for (Dot alias : aliases) {
      sb.append('+').append(alias.node()).append(':').append(alias.counter());
    }
    if (writeId != null) {
      sb.append(", write=").append(writeId);
    }
    return sb.append(", context=").append(context)
        .append(tombstone ? ", tombstone" : ", " + value.length + " bytes").append('}').toString();
  }
}

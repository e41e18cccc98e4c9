package io.dynamo.core.version;

import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The versions of one key that no other known version supersedes. Reconciliation is a join: it is
 * idempotent, and re-applying a version a replica already has (or has seen superseded) changes
 * nothing, which is what makes retries, forwarding and later hinted handoff safe.
 */
public record SiblingSet(List<Versioned> versions) {
  public static final SiblingSet EMPTY = new SiblingSet(List.of());

  /**
   * Orders last-write-wins candidates: latest timestamp, then a deterministic tie-break. Last write
   * wins keeps one version, so copies of a write never stand side by side there; they are not
   * united, and a copy that knows more events (aliases, from a set once reconciled as siblings) wins
   * a tie on its dot.
   */
  public static final Comparator<Versioned> LATEST =
      Comparator.<Versioned>comparingLong(v -> v.dot().timestampMillis())
          .thenComparing(v -> v.dot().node())
          .thenComparingLong(v -> v.dot().counter())
          .thenComparing(Versioned::aliases, SiblingSet::compareAliases);

  private static int compareAliases(List<Dot> a, List<Dot> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = Versioned.DOT_ORDER.compare(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** Canonical order, so replicas holding the same versions encode (and later hash) them alike. */
  private static final Comparator<Versioned> BY_DOT =
      Comparator.comparing(Versioned::dot, Versioned.DOT_ORDER);

  public SiblingSet {
    List<Versioned> sorted = new ArrayList<>(versions);
    sorted.sort(BY_DOT);
    versions = List.copyOf(sorted);
  }

  public static SiblingSet of(Versioned... versions) {
    SiblingSet out = EMPTY;
    for (Versioned v : versions) {
      out = out.apply(v, ConflictMode.SIBLINGS);
    }
    return out;
  }

  public boolean isEmpty() {
    return versions.isEmpty();
  }

  /**
   * Adds {@code incoming}: drops every stored version its context covers, keeps the concurrent
   * ones, and ignores {@code incoming} itself if a stored version already supersedes it or is the
   * same event.
   *
   * <p>Copies of one client write (equal {@link WriteId}s) are one version: {@code incoming} is
   * first united with its stored copy, and only then compared with the rest. A version is obsolete
   * when other versions' contexts cover all of its events; a context covering some of them removes
   * just those events (the copies that writer saw), and the version lives on as the copies it did
   * not see. Each version's remaining events depend only on which events and contexts have been
   * seen, not on the order they arrived in, which keeps merging commutative, associative and
   * idempotent with write ids too.
   */
  public SiblingSet apply(Versioned incoming, ConflictMode mode) {
    Objects.requireNonNull(incoming, "incoming");
    if (mode == ConflictMode.LAST_WRITE_WINS) {
      Versioned winner = incoming;
      for (Versioned v : versions) {
        if (LATEST.compare(v, winner) > 0) {
          winner = v;
        }
      }
      return versions.size() == 1 && versions.get(0).equals(winner)
          ? this
          : new SiblingSet(List.of(winner));
    }
    Versioned united = incoming;
    List<Versioned> others = new ArrayList<>(versions.size());
    for (Versioned v : versions) {
      if (v.sameWrite(united)) {
        united = v.unite(united);
      } else if (v.writeId() == null && v.dot().sameEvent(incoming.dot())) {
        return this; // the same event again
      } else {
        others.add(v);
      }
    }
    Versioned left = united;
    List<Versioned> kept = new ArrayList<>(others.size() + 1);
    for (Versioned v : others) {
      if (left != null) {
        left = left.withoutEventsCoveredBy(v.context());
      }
      Versioned survivor = v.withoutEventsCoveredBy(united.context());
      if (survivor != null) {
        kept.add(survivor);
      }
    }
    if (left != null) {
      kept.add(left);
    }
    SiblingSet out = new SiblingSet(kept);
    return out.equals(this) ? this : out;
  }

  /** The join of two replicas' sibling sets. */
  public SiblingSet merge(SiblingSet other, ConflictMode mode) {
    SiblingSet out = this;
    for (Versioned v : other.versions) {
      out = out.apply(v, mode);
    }
    return out;
  }

  /** The context a client writes back to supersede every version here. */
  public VectorClock context() {
    VectorClock out = VectorClock.EMPTY;
    for (Versioned v : versions) {
      out = out.merge(v.clock());
    }
    return out;
  }

  /** The live values, tombstones left out. */
  public List<byte[]> values() {
    List<byte[]> out = new ArrayList<>(versions.size());
    for (Versioned v : versions) {
      if (!v.tombstone()) {
        out.add(v.value());
      }
    }
    return out;
  }

  /** True when versions exist and every one of them is a tombstone. */
  public boolean deleted() {
    return !versions.isEmpty() && versions.stream().allMatch(Versioned::tombstone);
  }

  /** The version that is a copy of the write {@code id}, or null when none is. */
  /** The stored copy of the same client write as {@code version} (see {@link Versioned#sameWrite}), or null. */
  public Versioned copyOf(Versioned version) {
    for (Versioned v : versions) {
      if (v.sameWrite(version)) {
        return v;
      }
    }
    return null;
  }

  public Versioned withWriteId(WriteId id) {
    for (Versioned v : versions) {
      if (id.equals(v.writeId())) {
        return v;
      }
    }
    return null;
  }

  /** The highest counter {@code node} has used for this key, as far as these versions know. */
  public long highestCounter(NodeId node) {
    long max = 0;
    for (Versioned v : versions) {
      max = Math.max(max, v.clock().counter(node));
    }
    return max;
  }
}

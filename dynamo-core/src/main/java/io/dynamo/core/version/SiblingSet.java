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

  /** Orders last-write-wins candidates: latest timestamp, then a deterministic tie-break. */
  private static final Comparator<Versioned> LATEST =
      Comparator.<Versioned>comparingLong(v -> v.dot().timestampMillis())
          .thenComparing(v -> v.dot().node())
          .thenComparingLong(v -> v.dot().counter());

  /** Canonical order, so replicas holding the same versions encode (and later hash) them alike. */
  private static final Comparator<Versioned> BY_DOT =
      Comparator.<Versioned, NodeId>comparing(v -> v.dot().node())
          .thenComparingLong(v -> v.dot().counter());

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
    List<Versioned> kept = new ArrayList<>(versions.size() + 1);
    boolean incomingObsolete = false;
    for (Versioned v : versions) {
      if (v.dot().sameEvent(incoming.dot()) || v.supersedes(incoming)) {
        incomingObsolete = true;
      }
      if (!incoming.supersedes(v) || v.dot().sameEvent(incoming.dot())) {
        kept.add(v);
      }
    }
    if (incomingObsolete) {
      return kept.size() == versions.size() ? this : new SiblingSet(kept);
    }
    kept.add(incoming);
    return new SiblingSet(kept);
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

  /** The highest counter {@code node} has used for this key, as far as these versions know. */
  public long highestCounter(NodeId node) {
    long max = 0;
    for (Versioned v : versions) {
      max = Math.max(max, v.clock().counter(node));
    }
    return max;
  }
}

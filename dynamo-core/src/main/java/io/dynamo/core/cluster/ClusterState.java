package io.dynamo.core.cluster;

import io.dynamo.core.cluster.NodeEntry.EntryVersion;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The cluster state every node holds, persists and gossips: each node's self-described {@link
 * NodeEntry} and the claimant's {@link RingState}. Immutable.
 *
 * <p>States form a join-semilattice: {@link #merge} keeps, per node, the greater entry by {@link
 * NodeEntry#ORDER} and the greater ring by {@link RingState#ORDER}, so it is commutative,
 * associative and idempotent, and nodes that have received the same entries in any order and
 * grouping hold equal states.
 */
public final class ClusterState {
  public static final ClusterState EMPTY = new ClusterState(new TreeMap<>(), RingState.NONE);

  private final SortedMap<NodeId, NodeEntry> nodes;
  private final RingState ring;
  private ClusterDigest digest; // computed on first use; racy but idempotent

  private ClusterState(TreeMap<NodeId, NodeEntry> nodes, RingState ring) {
    this.nodes = Collections.unmodifiableSortedMap(nodes);
    this.ring = ring;
  }

  /**
   * A state of these entries and ring.
   *
   * @throws IllegalArgumentException if two entries name the same node
   */
  public static ClusterState of(Collection<NodeEntry> entries, RingState ring) {
    Objects.requireNonNull(ring, "ring");
    TreeMap<NodeId, NodeEntry> map = new TreeMap<>();
    for (NodeEntry e : entries) {
      if (map.put(e.id(), e) != null) {
        throw new IllegalArgumentException("two entries for " + e.id());
      }
    }
    if (map.size() > RingState.MAX_MEMBERS) {
      throw new IllegalArgumentException("more than " + RingState.MAX_MEMBERS + " node entries");
    }
    return new ClusterState(map, ring);
  }

  /** Self-described entries by node id. */
  public SortedMap<NodeId, NodeEntry> nodes() {
    return nodes;
  }

  public NodeEntry node(NodeId id) {
    return nodes.get(id);
  }

  public RingState ring() {
    return ring;
  }

  /**
   * A node's status: the ring's decision, or {@link MemberStatus#JOINING} for a node that announced
   * itself and is not in the ring yet, or null for a node this state has never heard of.
   */
  public MemberStatus status(NodeId id) {
    MemberStatus s = ring.statuses().get(id);
    if (s != null) {
      return s;
    }
    return nodes.containsKey(id) ? MemberStatus.JOINING : null;
  }

  /** Every node this state knows (entries and ring statuses) whose status passes the filter. */
  public List<NodeId> members(Predicate<MemberStatus> filter) {
    TreeMap<NodeId, MemberStatus> all = new TreeMap<>();
    for (NodeId id : nodes.keySet()) {
      all.put(id, status(id));
    }
    all.putAll(ring.statuses());
    List<NodeId> out = new ArrayList<>();
    all.forEach((id, s) -> {
      if (filter.test(s)) {
        out.add(id);
      }
    });
    return out;
  }

  /**
   * The deterministic claimant among the nodes {@code reachable} says are up: the lowest id of a
   * {@link MemberStatus#VALID} member, or null if none is reachable.
   */
  public NodeId claimant(Predicate<NodeId> reachable) {
    for (Map.Entry<NodeId, MemberStatus> e : ring.statuses().entrySet()) {
      if (e.getValue() == MemberStatus.VALID && reachable.test(e.getKey())) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The least upper bound of the two states: per entry, the greater version. */
  public ClusterState merge(ClusterState other) {
    if (other == this || other.isEmpty()) {
      return this;
    }
    boolean changed = false;
    TreeMap<NodeId, NodeEntry> merged = new TreeMap<>(nodes);
    for (NodeEntry theirs : other.nodes.values()) {
      NodeEntry mine = merged.get(theirs.id());
      if (mine == null || NodeEntry.ORDER.compare(theirs, mine) > 0) {
        merged.put(theirs.id(), theirs);
        changed = true;
      }
    }
    RingState r = ring.max(other.ring);
    changed |= r != ring;
    if (!changed) {
      return this;
    }
    if (merged.size() > RingState.MAX_MEMBERS) {
      throw new IllegalArgumentException("more than " + RingState.MAX_MEMBERS + " node entries");
    }
    return new ClusterState(merged, r);
  }

  /** This state with {@code entry} merged in (kept only if newer than the node's current one). */
  public ClusterState with(NodeEntry entry) {
    return merge(of(List.of(entry), RingState.NONE));
  }

  /** This state with {@code ring} merged in (kept only if greater than the current ring). */
  public ClusterState with(RingState ring) {
    return merge(new ClusterState(new TreeMap<>(), ring));
  }

  public boolean isEmpty() {
    return nodes.isEmpty() && ring.isNone();
  }

  /** Versions only: what a gossip exchange starts with. */
  public ClusterDigest digest() {
    ClusterDigest d = digest;
    if (d == null) {
      TreeMap<NodeId, EntryVersion> versions = new TreeMap<>();
      nodes.forEach((id, e) -> versions.put(id, e.entryVersion()));
      d = new ClusterDigest(versions, ring.ringVersion());
      digest = d;
    }
    return d;
  }

  /**
   * The entries of this state that are newer than what {@code digest} shows (or absent from it):
   * what the digest's sender is missing. Empty when it is missing nothing.
   */
  public ClusterState newerThan(ClusterDigest digest) {
    TreeMap<NodeId, NodeEntry> newer = new TreeMap<>();
    for (NodeEntry e : nodes.values()) {
      EntryVersion theirs = digest.nodes().get(e.id());
      if (theirs == null || e.entryVersion().compareTo(theirs) > 0) {
        newer.put(e.id(), e);
      }
    }
    RingState r = ring.ringVersion().compareTo(digest.ring()) > 0 ? ring : RingState.NONE;
    if (newer.isEmpty() && r.isNone()) {
      return EMPTY;
    }
    return new ClusterState(newer, r);
  }

  /** Whether {@code digest} shows anything newer than this state holds. */
  public boolean isBehind(ClusterDigest digest) {
    if (digest.ring().compareTo(ring.ringVersion()) > 0) {
      return true;
    }
    for (Map.Entry<NodeId, EntryVersion> e : digest.nodes().entrySet()) {
      NodeEntry mine = nodes.get(e.getKey());
      if (mine == null || e.getValue().compareTo(mine.entryVersion()) > 0) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterState s && nodes.equals(s.nodes) && ring.equals(s.ring);
  }

  @Override
  public int hashCode() {
    return 31 * nodes.hashCode() + ring.hashCode();
  }

  @Override
  public String toString() {
    return "ClusterState{nodes=" + nodes.size() + ", " + ring + "}";
  }
}

package io.dynamo.core.cluster;

import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who owns each of Q partitions: for each, up to {@code replicas} distinct nodes in preference
 * order. Owners are explicit rather than derived by walking a ring, so that a change of membership
 * moves only the copies a planner chose to move (a walk would shift neighbours' preference lists
 * too). A bucket with N replicas uses the first N owners; {@code replicas} is the largest N the
 * cluster supports.
 */
public final class PartitionTable {
  private final int replicas;
  private final List<List<NodeId>> owners;

  public PartitionTable(int replicas, List<List<NodeId>> owners) {
    if (replicas < 1 || replicas > 16) {
      throw new IllegalArgumentException("replicas must be 1 to 16: " + replicas);
    }
    if (owners.isEmpty() || owners.size() > 1 << 20) {
      throw new IllegalArgumentException("partition count must be 1 to 1048576: " + owners.size());
    }
    List<List<NodeId>> copy = new ArrayList<>(owners.size());
    for (int p = 0; p < owners.size(); p++) {
      List<NodeId> list = List.copyOf(owners.get(p));
      if (list.isEmpty() || list.size() > replicas) {
        throw new IllegalArgumentException(
            "partition " + p + " must have 1 to " + replicas + " owners: " + list);
      }
      if (new HashSet<>(list).size() != list.size()) {
        throw new IllegalArgumentException("partition " + p + " lists an owner twice: " + list);
      }
      copy.add(list);
    }
    this.replicas = replicas;
    this.owners = Collections.unmodifiableList(copy);
  }

  public int replicas() {
    return replicas;
  }

  public int partitions() {
    return owners.size();
  }

  /** The owners of {@code partition}, in preference order. */
  public List<NodeId> owners(int partition) {
    return owners.get(partition);
  }

  public List<List<NodeId>> allOwners() {
    return owners;
  }

  /** Every node that owns at least one copy, in first-seen order. */
  public Set<NodeId> nodes() {
    Set<NodeId> nodes = new java.util.LinkedHashSet<>();
    for (List<NodeId> list : owners) {
      nodes.addAll(list);
    }
    return nodes;
  }

  /** How many partition copies each node owns. */
  public Map<NodeId, Integer> copiesByNode() {
    Map<NodeId, Integer> counts = new LinkedHashMap<>();
    for (List<NodeId> list : owners) {
      for (NodeId node : list) {
        counts.merge(node, 1, Integer::sum);
      }
    }
    return counts;
  }

  public int copiesOwnedBy(NodeId node) {
    int count = 0;
    for (List<NodeId> list : owners) {
      if (list.contains(node)) {
        count++;
      }
    }
    return count;
  }

  /**
   * The copies that change hands going from this table to {@code next}: per partition, each node
   * that loses the partition paired with one that gains it (in preference order). A partition whose
   * owner count changes yields the unpaired gains or losses with no counterpart, which this method
   * does not report; tables of one cluster keep their owner counts.
   */
  public List<PartitionMove> movesTo(PartitionTable next) {
    if (next.partitions() != partitions()) {
      throw new IllegalArgumentException(
          "tables of " + partitions() + " and " + next.partitions() + " partitions");
    }
    List<PartitionMove> moves = new ArrayList<>();
    for (int p = 0; p < partitions(); p++) {
      List<NodeId> before = owners.get(p);
      List<NodeId> after = next.owners(p);
      List<NodeId> lost = new ArrayList<>(before);
      lost.removeAll(after);
      List<NodeId> gained = new ArrayList<>(after);
      gained.removeAll(before);
      for (int i = 0; i < Math.min(lost.size(), gained.size()); i++) {
        moves.add(new PartitionMove(p, lost.get(i), gained.get(i)));
      }
    }
    return moves;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartitionTable t && replicas == t.replicas && owners.equals(t.owners);
  }

  @Override
  public int hashCode() {
    return 31 * replicas + owners.hashCode();
  }

  @Override
  public String toString() {
    return "PartitionTable{Q=" + partitions() + ", replicas=" + replicas + "}";
  }
}

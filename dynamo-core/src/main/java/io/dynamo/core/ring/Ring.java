package io.dynamo.core.ring;

import io.dynamo.core.cluster.PartitionPlanner;
import io.dynamo.core.cluster.PartitionTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * An immutable ring: Q equal partitions, the members, and the {@link PartitionTable} naming each
 * partition's owners in preference order. A preference list of N is the first N owners. The
 * extended preference list (the order a coordinator asks nodes when owners are down) is the owners
 * followed by every other member, met walking the following partitions' owners clockwise, members
 * of zones not yet in the list first.
 */
public final class Ring {
  private final Partitioner partitioner;
  private final Map<NodeId, Member> members;
  private final PartitionTable table;
  private final boolean zoned;
  private final List<NodeId> ownsNothing;
  private final AtomicReferenceArray<List<NodeId>> extended;

  private Ring(Map<NodeId, Member> members, PartitionTable table) {
    this.partitioner = new Partitioner(table.partitions());
    this.members = members;
    this.table = table;
    this.zoned = members.values().stream().anyMatch(m -> !m.zone().isEmpty());
    Set<NodeId> owning = table.nodes();
    List<NodeId> idle = new ArrayList<>();
    for (NodeId id : members.keySet()) {
      if (!owning.contains(id)) {
        idle.add(id);
      }
    }
    Collections.sort(idle);
    this.ownsNothing = List.copyOf(idle);
    this.extended = new AtomicReferenceArray<>(table.partitions());
  }

  /**
   * A ring for a new cluster: {@link PartitionPlanner#initial} with {@code spread} owners per
   * partition (fewer if there are fewer members). {@code spread} is the largest N of any bucket.
   */
  public static Ring create(List<Member> members, int partitions, int spread) {
    Map<NodeId, Member> byId = byId(members);
    int replicas = Math.max(1, Math.min(spread, byId.size()));
    return new Ring(byId, PartitionPlanner.initial(members, partitions, replicas));
  }

  /** A ring whose owners are {@code table}'s; every owner must be one of {@code members}. */
  public static Ring of(List<Member> members, PartitionTable table) {
    Map<NodeId, Member> byId = byId(members);
    for (int p = 0; p < table.partitions(); p++) {
      for (NodeId owner : table.owners(p)) {
        if (!byId.containsKey(owner)) {
          throw new IllegalArgumentException(
              "owner " + owner + " of partition " + p + " is not a member");
        }
      }
    }
    return new Ring(byId, table);
  }

  private static Map<NodeId, Member> byId(List<Member> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a ring needs at least one member");
    }
    Map<NodeId, Member> byId = new LinkedHashMap<>();
    for (Member m : members) {
      if (byId.put(m.id(), m) != null) {
        throw new IllegalArgumentException("member " + m.id() + " listed twice");
      }
    }
    return Collections.unmodifiableMap(byId);
  }

  public int partitions() {
    return table.partitions();
  }

  public Partitioner partitioner() {
    return partitioner;
  }

  public Map<NodeId, Member> members() {
    return members;
  }

  public PartitionTable table() {
    return table;
  }

  public boolean isMember(NodeId node) {
    return members.containsKey(node);
  }

  /** The first owner of {@code partition}: the node a request for it usually goes to first. */
  public NodeId owner(int partition) {
    return table.owners(partition).get(0);
  }

  public int partitionOf(String bucket, byte[] key) {
    return partitioner.partitionOf(bucket, key);
  }

  /** The first {@code n} distinct nodes for {@code partition}; fewer if the ring has fewer. */
  public List<NodeId> preferenceList(int partition, int n) {
    List<NodeId> owners = table.owners(partition);
    if (n <= owners.size()) {
      return owners.subList(0, Math.max(0, n));
    }
    List<NodeId> all = extendedPreferenceList(partition);
    return all.subList(0, Math.min(n, all.size()));
  }

  public List<NodeId> preferenceList(String bucket, byte[] key, int n) {
    return preferenceList(partitionOf(bucket, key), n);
  }

  /** Every member in the order a coordinator would ask them for this partition. */
  public List<NodeId> extendedPreferenceList(int partition) {
    List<NodeId> list = extended.get(partition);
    if (list == null) {
      list = walk(partition);
      extended.compareAndSet(partition, null, list);
    }
    return list;
  }

  /** How many partitions {@code node} is the first owner of. */
  public int partitionsOwnedBy(NodeId node) {
    int count = 0;
    for (int p = 0; p < table.partitions(); p++) {
      if (owner(p).equals(node)) {
        count++;
      }
    }
    return count;
  }

  /** How many partition copies {@code node} holds, at any position. */
  public int copiesOwnedBy(NodeId node) {
    return table.copiesOwnedBy(node);
  }

  private List<NodeId> walk(int start) {
    List<NodeId> order = new ArrayList<>(table.owners(start));
    Set<NodeId> taken = new HashSet<>(order);
    Set<String> zones = new HashSet<>();
    for (NodeId id : order) {
      zones.add(members.get(id).zone());
    }
    int q = table.partitions();
    for (int pass = zoned ? 0 : 1; pass < 2 && order.size() < members.size(); pass++) {
      for (int i = 1; i < q && order.size() < members.size(); i++) {
        for (NodeId owner : table.owners((start + i) % q)) {
          if (taken.contains(owner) || (pass == 0 && !zones.add(members.get(owner).zone()))) {
            continue;
          }
          taken.add(owner);
          order.add(owner);
        }
      }
    }
    for (NodeId id : ownsNothing) {
      if (taken.add(id)) {
        order.add(id);
      }
    }
    return Collections.unmodifiableList(order);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ring r && members.equals(r.members) && table.equals(r.table);
  }

  @Override
  public int hashCode() {
    return Objects.hash(members, table);
  }

  @Override
  public String toString() {
    return "Ring{" + members.size() + " members, " + table + "}";
  }
}

package io.dynamo.core.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable ring: Q equal partitions, the member owning each, and for each partition the order
 * in which distinct physical nodes are asked (its extended preference list). A preference list of
 * N is the first N of that order: walk the ring clockwise from the key's partition, taking each
 * owner not already taken, members of new zones first when zones are set.
 */
public final class Ring {
  private final Partitioner partitioner;
  private final Map<NodeId, Member> members;
  private final NodeId[] owners;
  private final List<List<NodeId>> walkOrder;

  private Ring(Partitioner partitioner, Map<NodeId, Member> members, NodeId[] owners) {
    this.partitioner = partitioner;
    this.members = members;
    this.owners = owners;
    List<List<NodeId>> order = new ArrayList<>(owners.length);
    for (int p = 0; p < owners.length; p++) {
      order.add(walk(p));
    }
    this.walkOrder = Collections.unmodifiableList(order);
  }

  /** A ring with partitions assigned to {@code members} by {@link PartitionAssigner}. */
  public static Ring create(List<Member> members, int partitions, int spread) {
    Map<NodeId, Member> byId = new LinkedHashMap<>();
    for (Member m : members) {
      if (byId.put(m.id(), m) != null) {
        throw new IllegalArgumentException("member " + m.id() + " listed twice");
      }
    }
    NodeId[] owners = PartitionAssigner.assign(members, partitions, spread);
    return new Ring(new Partitioner(partitions), Collections.unmodifiableMap(byId), owners);
  }

  public int partitions() {
    return owners.length;
  }

  public Partitioner partitioner() {
    return partitioner;
  }

  public Map<NodeId, Member> members() {
    return members;
  }

  public boolean isMember(NodeId node) {
    return members.containsKey(node);
  }

  public NodeId owner(int partition) {
    return owners[partition];
  }

  public int partitionOf(String bucket, byte[] key) {
    return partitioner.partitionOf(bucket, key);
  }

  /** The first {@code n} distinct nodes for {@code partition}; fewer if the ring has fewer. */
  public List<NodeId> preferenceList(int partition, int n) {
    List<NodeId> all = walkOrder.get(partition);
    return all.subList(0, Math.min(n, all.size()));
  }

  public List<NodeId> preferenceList(String bucket, byte[] key, int n) {
    return preferenceList(partitionOf(bucket, key), n);
  }

  /** Every member in the order a coordinator would ask them for this partition. */
  public List<NodeId> extendedPreferenceList(int partition) {
    return walkOrder.get(partition);
  }

  public int partitionsOwnedBy(NodeId node) {
    int count = 0;
    for (NodeId owner : owners) {
      if (owner.equals(node)) {
        count++;
      }
    }
    return count;
  }

  private List<NodeId> walk(int start) {
    List<NodeId> order = new ArrayList<>(members.size());
    Set<NodeId> taken = new HashSet<>();
    Set<String> zones = new HashSet<>();
    boolean zoned = members.values().stream().anyMatch(m -> !m.zone().isEmpty());
    for (int pass = zoned ? 0 : 1; pass < 2 && order.size() < members.size(); pass++) {
      for (int i = 0; i < owners.length && order.size() < members.size(); i++) {
        NodeId owner = owners[(start + i) % owners.length];
        if (taken.contains(owner)) {
          continue;
        }
        if (pass == 0 && !zones.add(members.get(owner).zone())) {
          continue;
        }
        taken.add(owner);
        order.add(owner);
      }
    }
    return Collections.unmodifiableList(order);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ring r && members.equals(r.members) && Arrays.equals(owners, r.owners);
  }

  @Override
  public int hashCode() {
    return Objects.hash(members, Arrays.hashCode(owners));
  }
}

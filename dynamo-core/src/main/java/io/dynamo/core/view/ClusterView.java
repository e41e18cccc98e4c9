package io.dynamo.core.view;

import io.dynamo.core.cluster.BucketDefaults;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The cluster as one node currently sees it: a version that grows with every change, the ring
 * (members and who owns which partition), and where each member listens. Immutable: a change is a
 * new view, swapped in whole through {@link ViewHolder}.
 *
 * @param addresses where each member listens, and each other node the cluster knows of (a node
 *     that has not joined yet still gets gossip answers)
 * @param extraWriters per partition, nodes that receive its writes without being counted towards
 *     W: the target of a copy under way, and the old owner of a copy that just switched
 *     (docs/decisions/0007); absent partitions have none
 * @param bucketDefaults the cluster's N, R, W and conflict mode for buckets the node's file does not
 *     configure; null where the node's file decides (a view not derived from cluster state)
 */
public record ClusterView(
    long version,
    Ring ring,
    Map<NodeId, Addresses> addresses,
    Map<Integer, List<NodeId>> extraWriters,
    BucketDefaults bucketDefaults) {
  /** Where a member listens: for peers and for clients, each "host:port". */
  public record Addresses(String peer, String client) {
    public Addresses {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(client, "client");
    }
  }

  /** A view with no writes to extra nodes. */
  public ClusterView(long version, Ring ring, Map<NodeId, Addresses> addresses) {
    this(version, ring, addresses, Map.of(), null);
  }

  public ClusterView {
    Objects.requireNonNull(ring, "ring");
    extraWriters = Map.copyOf(extraWriters);
    if (version < 0) {
      throw new IllegalArgumentException("view version must not be negative: " + version);
    }
    if (!addresses.keySet().containsAll(ring.members().keySet())) {
      throw new IllegalArgumentException(
          "view " + version + " has addresses for " + addresses.keySet() + " but members "
              + ring.members().keySet());
    }
    addresses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(addresses));
  }

  /** The nodes that receive writes of {@code partition} besides its replicas (rarely any). */
  public List<NodeId> extraWriters(int partition) {
    // Read on every write: no boxing of the partition when no move is under way.
    return extraWriters.isEmpty() ? List.of() : extraWriters.getOrDefault(partition, List.of());
  }

  /** Every node this view has an address for: the members and nodes not (yet) members. */
  public Set<NodeId> known() {
    return addresses.keySet();
  }

  public Set<NodeId> members() {
    return ring.members().keySet();
  }

  public boolean isMember(NodeId node) {
    return ring.isMember(node);
  }

  /** The address peers reach {@code node} at, or null when it is not a member. */
  public String peerAddress(NodeId node) {
    Addresses a = addresses.get(node);
    return a == null ? null : a.peer();
  }

  /** The address clients reach {@code node} at, or null when it is not a member. */
  public String clientAddress(NodeId node) {
    Addresses a = addresses.get(node);
    return a == null ? null : a.client();
  }

  /** A view of {@code ring} whose members' addresses are not known (for tests and simulations). */
  public static ClusterView of(long version, Ring ring) {
    Map<NodeId, Addresses> addresses = new LinkedHashMap<>();
    for (NodeId id : ring.members().keySet()) {
      addresses.put(id, new Addresses("", ""));
    }
    return new ClusterView(version, ring, addresses);
  }
}

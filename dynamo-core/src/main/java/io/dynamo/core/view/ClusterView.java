package io.dynamo.core.view;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The cluster as one node currently sees it: a version that grows with every change, the ring
 * (members and who owns which partition), and where each member listens. Immutable: a change is a
 * new view, swapped in whole through {@link ViewHolder}.
 *
 * @param addresses every member's addresses, keyed like {@link Ring#members()}
 */
public record ClusterView(long version, Ring ring, Map<NodeId, Addresses> addresses) {
  /** Where a member listens: for peers and for clients, each "host:port". */
  public record Addresses(String peer, String client) {
    public Addresses {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(client, "client");
    }
  }

  public ClusterView {
    Objects.requireNonNull(ring, "ring");
    if (version < 0) {
      throw new IllegalArgumentException("view version must not be negative: " + version);
    }
    if (!addresses.keySet().equals(ring.members().keySet())) {
      throw new IllegalArgumentException(
          "view " + version + " has addresses for " + addresses.keySet() + " but members "
              + ring.members().keySet());
    }
    addresses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(addresses));
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

package io.dynamo.core.quorum;

import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Whom a request for one key goes to under a sloppy quorum: the first N nodes believed up, walking
 * the key's extended preference list. A node past the N home replicas stands in for a home replica
 * that is down, in order: the first substitute for the first absent home, and so on.
 *
 * @param home the key's preference list of N
 * @param targets the nodes to ask, at most N
 * @param standsInFor for each substitute in {@code targets}, the home replica it stands in for
 * @param uncovered home replicas believed down for which no substitute is up: the coordinator
 *     keeps their hints itself, so they still receive the write when they return
 */
public record ReplicaPlan(
    List<NodeId> home, List<NodeId> targets, Map<NodeId, NodeId> standsInFor, List<NodeId> uncovered) {
  public ReplicaPlan {
    home = List.copyOf(home);
    targets = List.copyOf(targets);
    standsInFor = Collections.unmodifiableMap(new LinkedHashMap<>(standsInFor));
    uncovered = List.copyOf(uncovered);
  }

  public static ReplicaPlan of(List<NodeId> extended, int n, Predicate<NodeId> isAvailable) {
    List<NodeId> home = extended.subList(0, Math.min(n, extended.size()));
    List<NodeId> targets = new ArrayList<>(n);
    List<NodeId> absent = new ArrayList<>();
    for (NodeId node : home) {
      if (isAvailable.test(node)) {
        targets.add(node);
      } else {
        absent.add(node);
      }
    }
    Map<NodeId, NodeId> standsInFor = new LinkedHashMap<>();
    for (int i = home.size(); i < extended.size() && !absent.isEmpty(); i++) {
      NodeId candidate = extended.get(i);
      if (isAvailable.test(candidate)) {
        targets.add(candidate);
        standsInFor.put(candidate, absent.remove(0));
      }
    }
    return new ReplicaPlan(home, targets, standsInFor, absent);
  }

  public boolean isHome(NodeId node) {
    return home.contains(node);
  }

  /** The home replica {@code node} stands in for, or null if it is a home replica itself. */
  public NodeId hintTarget(NodeId node) {
    return standsInFor.get(node);
  }
}

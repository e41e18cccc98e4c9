package io.dynamo.client;

import java.util.List;

/**
 * Where a key lives, as one node sees it: its partition, its home replicas (the preference list)
 * with whether that node believes each is up, and the nodes a write would go to now.
 */
public record Route(int partition, List<Node> preferenceList, List<Node> targets) {
  /** A node in a route; {@code standsInFor} names the home replica a substitute replaces, or "". */
  public record Node(String nodeId, boolean up, String standsInFor) {}

  public Route {
    preferenceList = List.copyOf(preferenceList);
    targets = List.copyOf(targets);
  }
}

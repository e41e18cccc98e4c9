package io.dynamo.core.version;

import io.dynamo.core.ring.NodeId;
import java.util.Objects;

/**
 * One event in a key's history: a write that {@code node} coordinated, named by a counter the node
 * never hands out twice (one node-wide counter that only grows, so a node's later writes to a key
 * always carry higher counters), stamped with the coordinator's wall-clock time. Vector clock
 * entries are dots too: the latest event seen from each node. The timestamp only guides pruning and last-write-wins; it never
 * decides causality.
 */
public record Dot(NodeId node, long counter, long timestampMillis) {
  public Dot {
    Objects.requireNonNull(node, "node");
    if (counter <= 0) {
      throw new IllegalArgumentException("dot counter must be positive: " + counter);
    }
    if (timestampMillis < 0) {
      throw new IllegalArgumentException("dot timestamp must not be negative: " + timestampMillis);
    }
  }

  /** Same event: a dot is identified by its node and counter. */
  public boolean sameEvent(Dot other) {
    return node.equals(other.node) && counter == other.counter;
  }
}

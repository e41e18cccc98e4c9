package io.dynamo.core.cluster;

import io.dynamo.core.ring.NodeId;
import java.util.Objects;

/** One replica copy of a partition changing hands: {@code from} gives it, {@code to} takes it. */
public record PartitionMove(int partition, NodeId from, NodeId to) {
  /** By partition, then source, then target. */
  public static final java.util.Comparator<PartitionMove> ORDER =
      java.util.Comparator.comparingInt(PartitionMove::partition)
          .thenComparing(PartitionMove::from)
          .thenComparing(PartitionMove::to);

  public PartitionMove {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0: " + partition);
    }
    if (from.equals(to)) {
      throw new IllegalArgumentException("a move needs two nodes: " + from);
    }
  }

  @Override
  public String toString() {
    return "p" + partition + ":" + from + "->" + to;
  }
}

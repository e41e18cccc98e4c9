package io.dynamo.client;

import java.util.List;

/**
 * Anti-entropy as one node reports it: per partition it holds a tree for or owns, the root of its
 * hash tree (replicas that agree have equal roots) and what exchanges did.
 *
 * @param pending on-demand exchanges still queued or running on that node
 * @param answerBytesSent bytes the node sent answering other owners' exchanges (the bytes its own
 *     exchanges sent are per partition)
 */
public record RepairStatus(
    String nodeId,
    long ringVersion,
    int pending,
    long running,
    long answerBytesSent,
    List<Partition> partitions) {
  public RepairStatus {
    partitions = List.copyOf(partitions);
  }

  /**
   * @param root the root of the node's hash tree of the partition; meaningful when {@code treeReady}
   * @param millisSinceFullExchange since the last exchange with every other owner; -1: none yet
   */
  public record Partition(
      int partition,
      long root,
      boolean treeReady,
      long millisSinceFullExchange,
      long exchanges,
      long keysCompared,
      long keysRepaired,
      long bytesSent,
      long treeRebuilds,
      long tombstonesPurged,
      boolean pending,
      boolean owned) {}
}

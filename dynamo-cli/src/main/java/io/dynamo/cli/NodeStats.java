package io.dynamo.cli;

import io.dynamo.client.DynamoException;
import io.dynamo.client.HintQueue;
import io.dynamo.client.NodeStatus;
import io.dynamo.client.RepairStatus;
import io.dynamo.client.RingLayout;
import io.dynamo.client.TransferStatus;
import java.time.Duration;
import java.util.List;

/**
 * What one member answered to the questions of {@code dynamo stats}, and its key figures. Each
 * answer is null when that request failed ({@code error} is then the first failure), and so is
 * every figure that depends on it: a figure is never made up for a node that did not give it.
 */
record NodeStats(
    NodeStatus.Member member,
    NodeStatus status,
    List<HintQueue> hints,
    List<TransferStatus> transfers,
    RepairStatus repair,
    RingLayout ring,
    DynamoException error) {

  String nodeId() {
    return member.nodeId();
  }

  /** Every request answered. */
  boolean answeredAll() {
    return error == null;
  }

  /** No request answered: the node is unreachable, or too slow. */
  boolean answeredNone() {
    return status == null && hints == null && transfers == null && repair == null && ring == null;
  }

  Duration uptime() {
    return status == null ? null : status.uptime();
  }

  Long ringVersion() {
    return ring == null ? null : ring.version();
  }

  /** The node's own member entry in its status (its copies as it counts them), or null. */
  private NodeStatus.Member self() {
    if (status == null) {
      return null;
    }
    return status.members().stream()
        .filter(m -> m.nodeId().equals(status.nodeId()))
        .findFirst()
        .orElse(null);
  }

  /** Partitions the node is first owner of. */
  Long partitionsFirst() {
    NodeStatus.Member self = self();
    return self == null ? null : (long) self.partitionsOwned();
  }

  /** Partition copies the node owns, as first owner or not. */
  Long copies() {
    NodeStatus.Member self = self();
    return self == null ? null : (long) self.copies();
  }

  Long hintCount() {
    return hints == null ? null : hints.stream().mapToLong(HintQueue::count).sum();
  }

  /** The age of the oldest hint the node holds; null when it holds none or did not say. */
  Duration oldestHint() {
    if (hints == null) {
      return null;
    }
    return hints.stream()
        .filter(q -> q.count() > 0)
        .map(HintQueue::oldestAge)
        .max(Duration::compareTo)
        .orElse(null);
  }

  /** Copies the node is receiving now: queued or copying. */
  Long transfersRunning() {
    return transfers == null
        ? null
        : transfers.stream()
            .filter(t -> t.state().equals("queued") || t.state().equals("copying"))
            .count();
  }

  /** Bytes the node has received in copies since it started, those running included. */
  Long transferBytesDone() {
    return transfers == null
        ? null
        : transfers.stream().mapToLong(TransferStatus::bytesDone).sum();
  }

  /** Anti-entropy exchanges queued or running on the node at an operator's request. */
  Long repairPending() {
    return repair == null ? null : (long) repair.pending();
  }

  /** Anti-entropy exchanges running on the node now. */
  Long exchangesRunning() {
    return repair == null ? null : repair.running();
  }

  Long keysRepaired() {
    return repair == null
        ? null
        : repair.partitions().stream().mapToLong(RepairStatus.Partition::keysRepaired).sum();
  }

  Long tombstonesPurged() {
    return repair == null
        ? null
        : repair.partitions().stream().mapToLong(RepairStatus.Partition::tombstonesPurged).sum();
  }

  Long storageFailures() {
    return status == null ? null : status.storageFailures();
  }
}

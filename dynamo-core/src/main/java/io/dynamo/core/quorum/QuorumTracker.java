package io.dynamo.core.quorum;

import io.dynamo.core.ring.NodeId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts replica answers towards a quorum of {@code required} out of the replicas asked, and says
 * when the outcome is decided: succeeded once enough answered, failed as soon as too few are left
 * that could. Answers from nodes not asked, and repeated answers, are ignored.
 */
public final class QuorumTracker {
  /** Where the quorum stands after an answer. */
  public enum Outcome {
    PENDING,
    SUCCEEDED,
    FAILED
  }

  private final Set<NodeId> asked;
  private final int required;
  private final Set<NodeId> succeeded = new HashSet<>();
  private final Set<NodeId> failed = new HashSet<>();

  public QuorumTracker(List<NodeId> asked, int required) {
    if (required < 1 || required > asked.size()) {
      throw new IllegalArgumentException(
          "quorum of " + required + " cannot be met by " + asked.size() + " replicas");
    }
    this.asked = Set.copyOf(asked);
    this.required = required;
  }

  public Outcome onSuccess(NodeId node) {
    if (asked.contains(node) && !failed.contains(node)) {
      succeeded.add(node);
    }
    return outcome();
  }

  public Outcome onFailure(NodeId node) {
    if (asked.contains(node) && !succeeded.contains(node)) {
      failed.add(node);
    }
    return outcome();
  }

  public Outcome outcome() {
    if (succeeded.size() >= required) {
      return Outcome.SUCCEEDED;
    }
    if (asked.size() - failed.size() < required) {
      return Outcome.FAILED;
    }
    return Outcome.PENDING;
  }

  public int required() {
    return required;
  }

  public int successes() {
    return succeeded.size();
  }

  /** The replicas asked that have not acknowledged (failed, or not answered yet). */
  public Set<NodeId> unacknowledged() {
    Set<NodeId> out = new HashSet<>(asked);
    out.removeAll(succeeded);
    return out;
  }

  /** Whether every replica asked has answered, either way. */
  public boolean allAnswered() {
    return succeeded.size() + failed.size() == asked.size();
  }

  public boolean hasAnswered(NodeId node) {
    return succeeded.contains(node) || failed.contains(node);
  }
}

package io.dynamo.core.coordinator;

import io.dynamo.core.node.OperationHost;
import io.dynamo.core.node.OperationTable;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.node.Replies;
import io.dynamo.core.node.WriteCommand;
import io.dynamo.core.quorum.ReplicaPlan;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ForwardRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who coordinates a write, and handing a write to another coordinator: the forward, its deadline
 * per attempt, and the retry through the next home replica when a coordinator stays silent.
 */
final class Forwarding {
  private static final Logger log = LoggerFactory.getLogger(Forwarding.class);

  private final NodeId self;
  private final ProtocolSettings settings;
  private final Clock clock;
  private final Scheduler scheduler;
  private final OperationHost host;
  private final OperationTable operations;
  private final Predicate<NodeId> isUp;
  private final CoordinatorCounters counters;

  Forwarding(
      NodeId self,
      ProtocolSettings settings,
      Clock clock,
      Scheduler scheduler,
      OperationHost host,
      OperationTable operations,
      Predicate<NodeId> isUp,
      CoordinatorCounters counters) {
    this.self = self;
    this.counters = counters;
    this.settings = settings;
    this.clock = clock;
    this.scheduler = scheduler;
    this.host = host;
    this.operations = operations;
    this.isUp = isUp;
  }

  /** The first home replica other than {@code node} believed up, or null. */
  NodeId nextHomeAfter(ReplicaPlan plan, NodeId node) {
    for (NodeId home : plan.home()) {
      if (!home.equals(node) && isUp.test(home)) {
        return home;
      }
    }
    return null;
  }

  /**
   * Who coordinates a write: this node if it is a home replica; else the first home replica
   * believed up; else, with every home replica down, this node if it is a substitute, or the first
   * substitute.
   */
  NodeId coordinatorOf(ReplicaPlan plan) {
    if (plan.isHome(self)) {
      return self;
    }
    for (NodeId home : plan.home()) {
      if (isUp.test(home)) {
        return home;
      }
    }
    return plan.targets().contains(self) ? self : plan.targets().get(0);
  }

  /**
   * The coordinators a forwarded write may go to, in order: {@code first}, then, for a write with a
   * write id (which can be sent twice without becoming two writes), the other home replicas
   * believed up. Each home replica coordinates a write itself, so any of them accepts it.
   */
  static List<NodeId> forwardCoordinators(ReplicaPlan plan, NodeId first, WriteCommand command) {
    List<NodeId> out = new ArrayList<>();
    out.add(first);
    if (command.writeId() != null && plan.isHome(first)) {
      for (NodeId home : plan.home()) {
        if (!home.equals(first) && plan.targets().contains(home)) {
          out.add(home);
        }
      }
    }
    return out;
  }

  void forward(
      long requestId,
      List<NodeId> coordinators,
      WriteCommand command,
      int partition,
      Consumer<Envelope> reply) {
    forward(requestId, coordinators, command, partition, reply, 0);
  }

  /** As above, for a write that was forwarded {@code hops} times before reaching this node. */
  void forward(
      long requestId,
      List<NodeId> coordinators,
      WriteCommand command,
      int partition,
      Consumer<Envelope> reply,
      int hops) {
    counters.countForwarded(command.delete() ? CoordinatorCounters.Op.DELETE : CoordinatorCounters.Op.PUT);
    ForwardOperation op = new ForwardOperation(requestId, coordinators, reply, hops);
    // Longer than the target's own deadline, so its answer (even a failure) normally arrives first.
    long opId = operations.register(op, settings.requestTimeoutMillis() * 3 / 2);
    long deadline = clock.currentTimeMillis() + settings.requestTimeoutMillis();
    sendForward(opId, op, coordinators.get(0), command, partition, deadline);
  }

  /**
   * Sends a forwarded write to {@code target} with the deadline by which it must begin it: the
   * write's own for the last coordinator there is to try, otherwise the moment this node will try
   * the next one. A coordinator that gets it later (it was paused, or the message was slow)
   * refuses it, so a coordinator this node has given up on makes no late copy of the write.
   */
  private void sendForward(
      long opId, ForwardOperation op, NodeId target, WriteCommand command, int partition,
      long deadline) {
    boolean last = !op.hasNextCoordinator();
    long attemptDeadline =
        last ? deadline : Math.min(deadline, clock.currentTimeMillis() + settings.forwardRetryMillis());
    ForwardRequest.Builder forward =
        ForwardRequest.newBuilder().setOpId(opId).setPartition(partition).setHops(op.hops());
    command.addTo(forward, attemptDeadline);
    host.send(target, Replies.envelope(0).setForwardRequest(forward).build());
    if (!last) {
      scheduler.schedule(
          settings.forwardRetryMillis(),
          () -> retryForward(opId, op, command, partition, deadline));
    }
  }

  /** Sends a forwarded write that got no answer yet to the next coordinator, within its deadline. */
  private void retryForward(
      long opId, ForwardOperation op, WriteCommand command, int partition, long deadline) {
    if (!operations.isPending(opId) || clock.currentTimeMillis() >= deadline) {
      return;
    }
    NodeId next = op.nextCoordinator();
    if (next == null) {
      return;
    }
    log.debug("forwarded write {} unanswered after {} ms; retrying through {}", opId,
        settings.forwardRetryMillis(), next);
    sendForward(opId, op, next, command, partition, deadline);
  }
}

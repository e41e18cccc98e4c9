package io.dynamo.core.coordinator;

import io.dynamo.core.node.Operation;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ForwardResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A put or delete handed to a node of the key's preference list; relays its answer. A write with a
 * write id may be handed to several coordinators in turn ({@link #nextCoordinator}): the first to
 * answer with success is relayed, since every copy they can have made is the same write; an error
 * is relayed only from the latest coordinator tried.
 */
final class ForwardOperation implements Operation {
  private final long requestId;
  private final List<NodeId> coordinators;
  private final Consumer<Envelope> reply;
  /** How many of {@code coordinators} the write was sent to. */
  private int tried = 1;
  /** Coordinators that answered with an error. */
  private final Set<NodeId> failed = new HashSet<>();

  /**
   * @param coordinators the coordinator the write goes to first, then those to try if it does not
   *     answer in time (empty for a write without an id, which must not be sent twice)
   */
  private final int hops;

  ForwardOperation(long requestId, List<NodeId> coordinators, Consumer<Envelope> reply) {
    this(requestId, coordinators, reply, 0);
  }

  /** @param hops forwards the write made before this node forwards it */
  ForwardOperation(long requestId, List<NodeId> coordinators, Consumer<Envelope> reply, int hops) {
    this.hops = hops;
    if (coordinators.isEmpty()) {
      throw new IllegalArgumentException("a forward needs a coordinator");
    }
    this.requestId = requestId;
    this.coordinators = List.copyOf(coordinators);
    this.reply = reply;
  }

  /** Whether a coordinator is left to try after those tried so far. */
  boolean hasNextCoordinator() {
    return tried < coordinators.size();
  }

  /** The next coordinator to send the write to, or null when every one has been tried. */
  NodeId nextCoordinator() {
    return tried < coordinators.size() ? coordinators.get(tried++) : null;
  }

  @Override
  public boolean onMessage(NodeId from, Envelope message) {
    if (!coordinators.subList(0, tried).contains(from) || !message.hasForwardResponse()) {
      return false;
    }
    ForwardResponse response = message.getForwardResponse();
    if (response.hasError()) {
      failed.add(from);
      if (!from.equals(coordinators.get(tried - 1))) {
        return false; // an earlier attempt failed; the latest may still succeed
      }
      if (notApplied(response.getError().getCode()) && anEarlierOneIsSilent()) {
        // The latest refused, but an earlier coordinator that never answered may have applied the
        // write: "nothing applied" would be wrong.
        reply.accept(
            Replies.error(
                requestId,
                StatusCode.TIMEOUT,
                "coordinator" + (tried > 2 ? "s " : " ") + coordinators.subList(0, tried - 1)
                    + " did not answer and may have applied the write; " + from + " refused it: "
                    + response.getError().getMessage()));
        return true;
      }
    }
    Envelope.Builder b = Replies.envelope(requestId);
    switch (response.getResponseCase()) {
      case PUT -> b.setPutResponse(response.getPut());
      case DELETE -> b.setDeleteResponse(response.getDelete());
      case ERROR -> b.setError(response.getError());
      default -> {
        reply.accept(
            Replies.error(requestId, StatusCode.INTERNAL, "empty answer from coordinator " + from));
        return true;
      }
    }
    reply.accept(b.build());
    return true;
  }

  private boolean anEarlierOneIsSilent() {
    for (NodeId c : coordinators.subList(0, tried - 1)) {
      if (!failed.contains(c)) {
        return true;
      }
    }
    return false;
  }

  /** Codes that say the coordinator applied nothing. */
  private static boolean notApplied(StatusCode code) {
    return switch (code) {
      case OVERLOADED, QUORUM_UNAVAILABLE, TOO_MANY_SIBLINGS, RECORD_TOO_LARGE, BAD_CONTEXT,
          INVALID_ARGUMENT, VALUE_TOO_LARGE, STORAGE_ERROR -> true;
      default -> false;
    };
  }

  @Override
  public void onTimeout() {
    reply.accept(
        Replies.error(
            requestId,
            StatusCode.TIMEOUT,
            "coordinator" + (tried > 1 ? "s " : " ") + coordinators.subList(0, tried)
                + " did not answer in time; the write may or may not have been applied"));
  }

  int hops() {
    return hops;
  }
}

package io.dynamo.core.node;

import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ForwardResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.function.Consumer;

/** A put or delete handed to a node of the key's preference list; relays its answer. */
final class ForwardOperation implements Operation {
  private final long requestId;
  private final NodeId target;
  private final Consumer<Envelope> reply;

  ForwardOperation(long requestId, NodeId target, Consumer<Envelope> reply) {
    this.requestId = requestId;
    this.target = target;
    this.reply = reply;
  }

  @Override
  public boolean onMessage(NodeId from, Envelope message) {
    if (!from.equals(target) || !message.hasForwardResponse()) {
      return false;
    }
    ForwardResponse response = message.getForwardResponse();
    Envelope.Builder b = Replies.envelope(requestId);
    switch (response.getResponseCase()) {
      case PUT -> b.setPutResponse(response.getPut());
      case DELETE -> b.setDeleteResponse(response.getDelete());
      case ERROR -> b.setError(response.getError());
      default -> {
        reply.accept(
            Replies.error(requestId, StatusCode.INTERNAL, "empty answer from coordinator " + target));
        return true;
      }
    }
    reply.accept(b.build());
    return true;
  }

  @Override
  public void onTimeout() {
    reply.accept(
        Replies.error(
            requestId,
            StatusCode.TIMEOUT,
            "coordinator " + target + " did not answer in time; the write may or may not have been applied"));
  }
}

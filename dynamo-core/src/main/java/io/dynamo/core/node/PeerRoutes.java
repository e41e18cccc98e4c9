package io.dynamo.core.node;

import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Which service handles each kind of message from a peer. Each service registers the envelope
 * body cases it handles; a case has one handler.
 */
public final class PeerRoutes {
  private final Map<Envelope.BodyCase, BiConsumer<NodeId, Envelope>> handlers =
      new EnumMap<>(Envelope.BodyCase.class);

  /** Routes messages whose body is {@code body} to {@code handler}. */
  public PeerRoutes on(Envelope.BodyCase body, BiConsumer<NodeId, Envelope> handler) {
    if (handlers.putIfAbsent(body, handler) != null) {
      throw new IllegalStateException(body + " already has a handler");
    }
    return this;
  }

  /** Hands {@code message} to its handler; false when no service handles its kind. */
  boolean dispatch(NodeId from, Envelope message) {
    BiConsumer<NodeId, Envelope> handler = handlers.get(message.getBodyCase());
    if (handler == null) {
      return false;
    }
    handler.accept(from, message);
    return true;
  }
}

package io.dynamo.core.runtime;

import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;

/**
 * Sends one-way messages to other nodes. Delivery is best effort: a message may be lost, delayed or
 * reordered, and the protocol copes through timeouts. Never called for the node itself.
 */
@FunctionalInterface
public interface PeerSink {
  void send(NodeId to, Envelope message);
}

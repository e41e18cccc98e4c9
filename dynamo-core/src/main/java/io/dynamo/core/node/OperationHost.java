package io.dynamo.core.node;

import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;

/** What parts of a node's protocol need from it: sending, and tracking operations by id. */
public interface OperationHost {
  /** Registers an operation with a deadline; returns the id its messages carry. */
  long register(Operation op, long timeoutMillis);

  /** Sends to a peer, or loops back to this node. */
  void send(NodeId to, Envelope message);
}

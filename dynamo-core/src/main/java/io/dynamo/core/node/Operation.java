package io.dynamo.core.node;

import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;

/** A request this node coordinates, waiting for peers' answers or its deadline. */
public interface Operation {
  /** Takes a peer's answer; returns true when the operation has finished. */
  boolean onMessage(NodeId from, Envelope message);

  /**
   * A reminder it asked for ({@link OperationTable#remind}) came due while it was pending;
   * returns true when the operation has finished.
   */
  default boolean onReminder() {
    return false;
  }

  /** The deadline passed; the operation must answer its caller now. */
  void onTimeout();
}

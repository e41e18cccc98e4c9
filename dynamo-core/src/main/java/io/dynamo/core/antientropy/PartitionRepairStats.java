package io.dynamo.core.antientropy;

/** What anti-entropy did for one partition on this node since it started. Protocol thread only. */
public final class PartitionRepairStats {
  /**
   * Per other owner, when (monotonic millis) the last exchange between it and this node started,
   * whichever of the two started it: as initiator once it completed, as responder once it answered
   * the peer's key request or found the roots equal.
   */
  final java.util.Map<io.dynamo.core.ring.NodeId, Long> lastWith = new java.util.HashMap<>();
  long exchanges;
  long keysCompared;
  long keysRepaired;
  long bytesSent;
  long tombstonesPurged;

  /**
   * When the oldest of the last exchanges with each of {@code others} started: every one of them
   * has exchanged with this node since; -1 when one has not yet.
   */
  long lastFullExchangeStart(java.util.Collection<io.dynamo.core.ring.NodeId> others) {
    long oldest = Long.MAX_VALUE;
    for (io.dynamo.core.ring.NodeId o : others) {
      Long t = lastWith.get(o);
      if (t == null) {
        return -1;
      }
      oldest = Math.min(oldest, t);
    }
    return oldest == Long.MAX_VALUE ? -1 : oldest;
  }

  public long exchanges() {
    return exchanges;
  }

  public long keysCompared() {
    return keysCompared;
  }

  public long keysRepaired() {
    return keysRepaired;
  }

  public long bytesSent() {
    return bytesSent;
  }

  public long tombstonesPurged() {
    return tombstonesPurged;
  }
}

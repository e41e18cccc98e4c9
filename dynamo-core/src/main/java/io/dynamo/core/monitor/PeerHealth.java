package io.dynamo.core.monitor;

import io.dynamo.core.membership.FailureDetector;
import io.dynamo.core.ring.NodeId;

/**
 * This node's judgement of whether each peer is up, fed by its heartbeats. It only
 * changes whom a coordinator asks (sloppy quorum), never who owns data.
 */
public interface PeerHealth {
  /** Believes every peer is up: for tests that want strict quorums over a fixed set. */
  PeerHealth ALWAYS_UP =
      new PeerHealth() {
        @Override
        public void heard(NodeId from, long nowMillis) {}

        @Override
        public boolean isAvailable(NodeId node, long nowMillis) {
          return true;
        }

        @Override
        public double phi(NodeId node, long nowMillis) {
          return 0;
        }

        @Override
        public void forget(NodeId node) {}
      };

  /** A phi-accrual failure detector's judgement. */
  static PeerHealth of(FailureDetector detector) {
    return new PeerHealth() {
      @Override
      public void heard(NodeId from, long nowMillis) {
        detector.heartbeat(from, nowMillis);
      }

      @Override
      public boolean isAvailable(NodeId node, long nowMillis) {
        return detector.isAvailable(node, nowMillis);
      }

      @Override
      public double phi(NodeId node, long nowMillis) {
        return detector.phi(node, nowMillis);
      }

      @Override
      public void forget(NodeId node) {
        detector.forget(node);
      }
    };
  }

  /** A heartbeat arrived from {@code from} (times are monotonic milliseconds). */
  void heard(NodeId from, long nowMillis);

  boolean isAvailable(NodeId node, long nowMillis);

  /** The suspicion level behind {@link #isAvailable}, for operators; 0 when unknown. */
  double phi(NodeId node, long nowMillis);

  /** {@code node} left the cluster: drop what was learnt of it. */
  void forget(NodeId node);
}

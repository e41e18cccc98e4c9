package io.dynamo.core.membership;

import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A node's view of which peers are up: one {@link PhiAccrualDetector} per peer it has heard from.
 * Pure: the caller feeds heartbeats and the time, and polls {@link #evaluate(long)} (say once per
 * heartbeat interval) to learn which peers changed state, to log and export.
 *
 * <p>The node itself is always available with phi 0, and heartbeats from it are ignored. Peers
 * never heard from are available with phi 0 (see {@link PhiAccrualDetector}). Not thread-safe.
 */
public final class FailureDetector {
  /** A peer whose availability changed since the previous {@link #evaluate(long)}. */
  public record Transition(NodeId node, boolean available, double phi) {
    public Transition {
      Objects.requireNonNull(node, "node");
    }
  }

  private final NodeId self;
  private final PhiAccrualSettings settings;
  private final Map<NodeId, PhiAccrualDetector> detectors = new TreeMap<>();
  /** Peers last reported unavailable by evaluate; every other peer was last reported available. */
  private final Set<NodeId> reportedDown = new HashSet<>();

  public FailureDetector(NodeId self, PhiAccrualSettings settings) {
    this.self = Objects.requireNonNull(self, "self");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public NodeId self() {
    return self;
  }

  public PhiAccrualSettings settings() {
    return settings;
  }

  /** Records a heartbeat from {@code from} arriving at {@code nowMillis}. */
  public void heartbeat(NodeId from, long nowMillis) {
    Objects.requireNonNull(from, "from");
    if (from.equals(self)) {
      return;
    }
    detectors.computeIfAbsent(from, n -> new PhiAccrualDetector(settings)).heartbeat(nowMillis);
  }

  /** Phi of {@code node} at {@code nowMillis}: 0 for this node and for peers never heard from. */
  public double phi(NodeId node, long nowMillis) {
    Objects.requireNonNull(node, "node");
    PhiAccrualDetector detector = detectors.get(node);
    return detector == null ? 0.0 : detector.phi(nowMillis);
  }

  /** Whether {@code node} is considered up at {@code nowMillis}. */
  public boolean isAvailable(NodeId node, long nowMillis) {
    return phi(node, nowMillis) < settings.threshold();
  }

  /**
   * The peers whose availability at {@code nowMillis} differs from what the previous call
   * reported, in node order. Every peer starts out reported available, so a peer shows up here
   * the first time it is suspected, and again when it recovers. Calls compare snapshots: a peer
   * suspected and heard from again between two calls is not reported.
   */
  public List<Transition> evaluate(long nowMillis) {
    List<Transition> transitions = new ArrayList<>();
    for (Map.Entry<NodeId, PhiAccrualDetector> e : detectors.entrySet()) {
      NodeId node = e.getKey();
      double phi = e.getValue().phi(nowMillis);
      boolean available = phi < settings.threshold();
      boolean wasAvailable = !reportedDown.contains(node);
      if (available != wasAvailable) {
        if (available) {
          reportedDown.remove(node);
        } else {
          reportedDown.add(node);
        }
        transitions.add(new Transition(node, available, phi));
      }
    }
    return transitions;
  }

  /**
   * Stops monitoring {@code node} (it left the cluster): its history is dropped and it is again
   * a peer never heard from. No transition is reported for it.
   */
  public void forget(NodeId node) {
    Objects.requireNonNull(node, "node");
    detectors.remove(node);
    reportedDown.remove(node);
  }

  /** The peers heard from, in node order. */
  public List<NodeId> monitored() {
    return List.copyOf(detectors.keySet());
  }
}

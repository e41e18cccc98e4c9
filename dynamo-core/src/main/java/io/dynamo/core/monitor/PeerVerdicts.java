package io.dynamo.core.monitor;

import io.dynamo.core.ring.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * The failure detector's verdicts, computed once per heartbeat tick (and for a peer whenever its
 * heartbeat arrives) instead of on every request, and published as an immutable snapshot so every
 * protocol shard of the node reads them without locks. Only the shard that owns the detector
 * writes (shard 0); a verdict is therefore at most one tick old.
 */
public final class PeerVerdicts {
  /** A peer's state as of the last evaluation. */
  record Verdict(boolean up, double phi) {}

  private static final Verdict UNKNOWN = new Verdict(true, 0);

  private volatile Map<NodeId, Verdict> snapshot = Map.of();

  public PeerVerdicts() {}

  public boolean isUp(NodeId node) {
    return snapshot.getOrDefault(node, UNKNOWN).up();
  }

  public double phi(NodeId node) {
    return snapshot.getOrDefault(node, UNKNOWN).phi();
  }

  /** Re-evaluates every peer in {@code peers} from {@code health}. Called by one shard only. */
  void refresh(Iterable<NodeId> peers, PeerHealth health, long nowMillis) {
    Map<NodeId, Verdict> next = new HashMap<>();
    for (NodeId peer : peers) {
      next.put(peer, evaluate(health, peer, nowMillis));
    }
    snapshot = Map.copyOf(next);
  }

  /** Re-evaluates one peer (its heartbeat just arrived). Called by one shard only. */
  void refresh(NodeId peer, PeerHealth health, long nowMillis) {
    Verdict verdict = evaluate(health, peer, nowMillis);
    Map<NodeId, Verdict> current = snapshot;
    Verdict before = current.get(peer);
    if (before != null && before.up() == verdict.up()) {
      return; // phi alone is refreshed at the next tick; it is only shown to operators
    }
    Map<NodeId, Verdict> next = new HashMap<>(current);
    next.put(peer, verdict);
    snapshot = Map.copyOf(next);
  }

  private static Verdict evaluate(PeerHealth health, NodeId peer, long nowMillis) {
    return new Verdict(health.isAvailable(peer, nowMillis), health.phi(peer, nowMillis));
  }
}

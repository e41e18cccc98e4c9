package io.dynamo.core.monitor;

import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.view.ClusterView;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.Heartbeat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats and the failure detector of one node: sends a heartbeat to every peer each interval,
 * feeds the heartbeats that arrive into {@link PeerHealth}, and publishes the verdicts in the
 * node-wide {@link PeerVerdicts} every shard reads. Only the shard that runs the node-wide periodic
 * work (shard 0) starts it and hands it heartbeats; every shard may ask it whether a peer is up.
 */
public final class PeerMonitor {
  private static final Logger log = LoggerFactory.getLogger(PeerMonitor.class);

  private final NodeId self;
  private final Clock clock;
  private final Scheduler scheduler;
  private final PeerSink peers;
  private final PeerHealth health;
  private final PeerVerdicts verdicts;
  private final long intervalMillis;
  /** Every member of the current view but this node. */
  private List<NodeId> peerIds;
  private boolean started;
  private final Map<NodeId, Boolean> lastKnownUp = new HashMap<>();
  private final Map<NodeId, Long> transitions = new HashMap<>();

  public PeerMonitor(
      NodeId self,
      List<NodeId> members,
      Clock clock,
      Scheduler scheduler,
      PeerSink peers,
      PeerHealth health,
      PeerVerdicts verdicts,
      long intervalMillis) {
    this.self = self;
    this.peerIds = members.stream().filter(m -> !m.equals(self)).toList();
    this.clock = clock;
    this.scheduler = scheduler;
    this.peers = peers;
    this.health = health;
    this.verdicts = verdicts;
    this.intervalMillis = intervalMillis;
  }

  /** Starts heartbeating; call once, on the shard that runs the node-wide periodic work. */
  public void start() {
    started = true;
    // Every member is taken to have been alive when this node started: one never heard from
    // afterwards is then suspected like one that fell silent, instead of being trusted forever.
    long now = clock.monotonicMillis();
    for (NodeId peer : peerIds) {
      health.heard(peer, now);
    }
    verdicts.refresh(peerIds, health, now);
    scheduler.schedule(intervalMillis, this::round);
  }

  /**
   * The cluster changed: heartbeat the nodes of {@code next} from now on (its members, and the
   * nodes it knows that are not members: a node about to join, or one whose join was undone, must
   * believe the members up to hand over its hints and coordinate requests). A new one is taken
   * to be alive as of now (like every member at start); a removed one is forgotten, by the failure
   * detector too, so it is neither heartbeated nor reported. Only the shard that started the
   * monitor changes the node-wide detector and verdicts.
   */
  public void onViewChanged(ClusterView next) {
    List<NodeId> before = peerIds;
    peerIds = next.known().stream().filter(m -> !m.equals(self)).toList();
    if (!started) {
      return;
    }
    long now = clock.monotonicMillis();
    for (NodeId peer : peerIds) {
      if (!before.contains(peer)) {
        health.heard(peer, now);
      }
    }
    for (NodeId peer : before) {
      if (!peerIds.contains(peer)) {
        health.forget(peer);
        lastKnownUp.remove(peer);
        transitions.remove(peer);
      }
    }
    verdicts.refresh(peerIds, health, now);
  }

  /**
   * Whether this node believes {@code node} is up (itself always), as of the failure detector's
   * last evaluation: once per heartbeat interval, and whenever a peer's heartbeat arrives.
   */
  public boolean isUp(NodeId node) {
    return node.equals(self) || verdicts.isUp(node);
  }

  /** The failure detector's suspicion of {@code node} at its last evaluation, for operators. */
  public double phi(NodeId node) {
    return node.equals(self) ? 0 : verdicts.phi(node);
  }

  /**
   * A heartbeat arrived. Only heartbeats feed the failure detector: they arrive at a steady rate,
   * whereas counting bursts of traffic would shrink the expected interval and make a quiet peer
   * look dead. A node that is not a member of the current view (it left, and does not know yet)
   * is not monitored.
   */
  public void heard(NodeId from) {
    if (!peerIds.contains(from)) {
      return;
    }
    long now = clock.monotonicMillis();
    health.heard(from, now);
    verdicts.refresh(from, health, now);
  }

  /** This node's view of every peer. Call on the protocol thread. */
  public List<PeerView> peerViews() {
    List<PeerView> out = new ArrayList<>();
    for (NodeId peer : peerIds) {
      out.add(new PeerView(peer, isUp(peer), phi(peer), transitions.getOrDefault(peer, 0L)));
    }
    return out;
  }

  private void round() {
    // Reschedule first: a failure in one round must not end failure detection for good.
    scheduler.schedule(intervalMillis, this::round);
    try {
      sendHeartbeats();
    } catch (RuntimeException e) {
      log.error("heartbeat round failed", e);
    }
  }

  private void sendHeartbeats() {
    Envelope heartbeat = Replies.envelope(0).setHeartbeat(Heartbeat.getDefaultInstance()).build();
    long now = clock.monotonicMillis();
    verdicts.refresh(peerIds, health, now);
    for (NodeId member : peerIds) {
      peers.send(member, heartbeat);
      boolean up = verdicts.isUp(member);
      Boolean before = lastKnownUp.put(member, up);
      if (before != null && before != up) {
        transitions.merge(member, 1L, Long::sum);
        log.warn("{} now believes {} is {} (phi {})", self, member, up ? "UP" : "DOWN",
            String.format("%.1f", verdicts.phi(member)));
      }
    }
  }
}

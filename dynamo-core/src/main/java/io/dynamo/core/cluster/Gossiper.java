package io.dynamo.core.cluster;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GossipDelta;
import io.dynamo.proto.v1.GossipDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Spreads the cluster state by Scuttlebutt gossip with push-pull. A pure state machine: the driver
 * calls {@link #round()} on a timer and hands it every gossip message with {@link #onMessage};
 * messages leave through a {@link PeerSink} (or a {@link SeedSink} for address-only seeds). Not
 * thread-safe: call it from one thread.
 *
 * <p>An exchange: each round the node sends its digest to {@code fanout} random known members; a
 * receiver answers with a delta of the entries newer than that digest, plus its own digest if it
 * is itself behind; the first node then merges and answers with what the second lacks. A node that
 * knows no member yet sends its own entry and digest to seeds instead.
 *
 * <p>Liveness is not gossip's business: no heartbeats travel here, and the failure detector alone
 * says who answers.
 */
public final class Gossiper {
  private static final int PROTOCOL_VERSION = 1;

  private final NodeId self;
  private final int fanout;
  private final List<String> seeds;
  private final Random random;
  private final PeerSink peers;
  private final SeedSink seedSink;
  private final Consumer<ClusterState> listener;
  private ClusterState state;
  private NodeEntry selfEntry;
  private ClusterState digestOf; // the state digestProto was built from
  private GossipDigest digestProto;
  private long foreignSelfEntries;
  private ClusterState candidatesOf; // the state candidates were listed from
  private final List<NodeId> candidates = new ArrayList<>();

  /**
   * @param selfEntry this node's entry for this start; its generation must exceed every earlier
   *     start's (a stored state's entry of the same generation is continued, not repeated)
   * @param initial the state loaded from storage, or {@link ClusterState#EMPTY}
   * @param fanout peers per round, at least 1
   * @param seeds peer addresses ("host:port") to contact while no member is known
   * @param random the only source of randomness (seed it in tests)
   * @param listener told of every new state, local changes included, on the calling thread (not of
   *     the state this constructor starts from: read {@link #state()} after construction)
   * @throws IllegalStateException if {@code initial} holds an entry of this node with a later
   *     generation than {@code selfEntry}'s
   */
  public Gossiper(
      NodeEntry selfEntry,
      ClusterState initial,
      int fanout,
      List<String> seeds,
      Random random,
      PeerSink peers,
      SeedSink seedSink,
      Consumer<ClusterState> listener) {
    if (fanout < 1) {
      throw new IllegalArgumentException("fanout must be at least 1: " + fanout);
    }
    this.self = selfEntry.id();
    this.fanout = fanout;
    this.seeds = List.copyOf(seeds);
    this.random = Objects.requireNonNull(random, "random");
    this.peers = Objects.requireNonNull(peers, "peers");
    this.seedSink = Objects.requireNonNull(seedSink, "seedSink");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.state = Objects.requireNonNull(initial, "initial");
    this.selfEntry = selfEntry;
    reassertSelf(selfEntry);
  }

  public ClusterState state() {
    return state;
  }

  public NodeEntry selfEntry() {
    return selfEntry;
  }

  /**
   * How many times a merge brought an entry of this node's id with a later generation than this
   * process's: a sign that two processes run under one id. Worth an alarm.
   */
  public long foreignSelfEntries() {
    return foreignSelfEntries;
  }

  /** One gossip round: sends the digest to up to {@code fanout} random members, or to seeds. */
  public void round() {
    if (candidatesOf != state) {
      candidatesOf = state;
      candidates.clear();
      // Members of the ring are gossiped with even before their own entries arrive: nodes of a
      // new cluster know each other from their startup files, not from seeds.
      java.util.TreeSet<NodeId> known = new java.util.TreeSet<>(state.nodes().keySet());
      known.addAll(state.ring().statuses().keySet());
      for (NodeId id : known) {
        if (!id.equals(self) && state.status(id) != MemberStatus.REMOVED) {
          candidates.add(id);
        }
      }
    }
    if (candidates.isEmpty()) {
      gossipToSeeds();
      return;
    }
    Envelope digest = envelope().setGossipDigest(digestProto()).build();
    int k = Math.min(fanout, candidates.size());
    for (int i = 0; i < k; i++) { // a partial Fisher-Yates shuffle picks k distinct peers
      int j = i + random.nextInt(candidates.size() - i);
      NodeId picked = candidates.get(j);
      candidates.set(j, candidates.get(i));
      candidates.set(i, picked);
      peers.send(picked, digest);
    }
  }

  private void gossipToSeeds() {
    List<String> targets = new ArrayList<>();
    for (String s : seeds) {
      if (!s.equals(selfEntry.peerAddress())) {
        targets.add(s);
      }
    }
    if (targets.isEmpty()) {
      return;
    }
    // The seed does not know this node: push its entry so the seed can answer by node id.
    Envelope msg = envelope().setGossipDelta(GossipDelta.newBuilder()
        .setState(ClusterStateCodec.toProto(ClusterState.of(List.of(selfEntry), RingState.NONE)))
        .setDigest(digestProto()))
        .build();
    int k = Math.min(fanout, targets.size());
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(targets.size() - i);
      String picked = targets.get(j);
      targets.set(j, targets.get(i));
      seedSink.send(picked, msg);
    }
  }

  /**
   * Handles a gossip message from {@code from}; returns false (and does nothing) for any other
   * message.
   *
   * @throws MalformedClusterStateException if the message does not decode to a valid digest or
   *     state; nothing was merged
   */
  public boolean onMessage(NodeId from, Envelope message) {
    switch (message.getBodyCase()) {
      case GOSSIP_DIGEST -> onDigest(from, message.getGossipDigest());
      case GOSSIP_DELTA -> onDelta(from, message.getGossipDelta());
      default -> {
        return false;
      }
    }
    return true;
  }

  private void onDigest(NodeId from, GossipDigest proto) {
    ClusterState newer;
    boolean behind;
    if (proto.getNodesList().equals(digestProto().getNodesList())) {
      // The common case in a settled cluster: the same node entries (compared without decoding).
      RingState.RingVersion theirRing = ClusterStateCodec.ringDigestFromProto(proto.getRing());
      int c = state.ring().ringVersion().compareTo(theirRing);
      newer = c > 0 ? ClusterState.of(List.of(), state.ring()) : ClusterState.EMPTY;
      behind = c < 0;
    } else {
      ClusterDigest theirs = ClusterStateCodec.digestFromProto(proto);
      newer = state.newerThan(theirs);
      behind = state.isBehind(theirs);
    }
    if (newer.isEmpty() && !behind) {
      return;
    }
    GossipDelta.Builder delta = GossipDelta.newBuilder().setState(ClusterStateCodec.toProto(newer));
    if (behind) {
      delta.setDigest(digestProto());
    }
    send(from, envelope().setGossipDelta(delta).build());
  }

  private void onDelta(NodeId from, GossipDelta proto) {
    ClusterState delta = ClusterStateCodec.fromProto(proto.getState());
    ClusterDigest theirs = proto.hasDigest()
        ? ClusterStateCodec.digestFromProto(proto.getDigest())
        : null;
    merge(delta);
    if (theirs != null) {
      ClusterState newer = state.newerThan(theirs);
      if (!newer.isEmpty()) {
        send(from, envelope()
            .setGossipDelta(GossipDelta.newBuilder().setState(ClusterStateCodec.toProto(newer)))
            .build());
      }
    }
  }

  /** Merges a state learnt elsewhere (a delta, an operator's file) and tells the listener. */
  public void merge(ClusterState other) {
    String foreign = foreignRing(other.ring());
    if (foreign != null) {
      // Entries still spread; only the ring is refused, and the caller hears why.
      merge(ClusterState.of(other.nodes().values(), RingState.NONE));
      throw new MalformedClusterStateException(foreign);
    }
    ClusterState merged;
    try {
      merged = state.merge(other);
    } catch (IllegalArgumentException e) {
      throw new MalformedClusterStateException("state refused: " + e.getMessage(), e);
    }
    if (merged == state) {
      return;
    }
    state = merged;
    NodeEntry stored = state.node(self);
    if (!stored.equals(selfEntry)) {
      if (stored.generation() == selfEntry.generation()) {
        // Someone holds an entry of ours we never wrote in this generation (a forged or
        // corrupted one): write ours again above it.
        reassertSelf(selfEntry);
      } else {
        // A later generation of our id: another process runs under this node's name. Ours can
        // no longer win; the operator must stop one of them.
        foreignSelfEntries++;
      }
    }
    listener.accept(state);
  }

  /**
   * Why a ring cannot belong to this cluster (null if it can), so it is refused rather than merged: one of another Q
   * (every key would change partition), or a different first ring (two nodes created the cluster
   * from different member lists). Both come from a misconfigured file; merging would let the
   * larger hash take over the cluster.
   */
  private String foreignRing(RingState theirs) {
    RingState ours = state.ring();
    if (theirs.isNone() || ours.isNone()) {
      return null;
    }
    if (theirs.partitions() != ours.partitions() || theirs.replicas() != ours.replicas()) {
      return "ring of Q=" + theirs.partitions() + ", replicas=" + theirs.replicas() + " refused:"
          + " this cluster has Q=" + ours.partitions() + ", replicas=" + ours.replicas()
          + " (a node started with another ring.partitions or bucket n?)";
    }
    if (theirs.version() == 1 && ours.version() == 1
        && (!theirs.statuses().equals(ours.statuses()) || !java.util.Objects.equals(theirs.table(), ours.table()))) {
      return "a different first ring refused (by " + theirs.claimant() + "): the nodes that"
          + " created the cluster were given different member lists";
    }
    if (theirs.version() > Long.MAX_VALUE / 2) {
      return "ring version " + theirs.version() + " refused";
    }
    return null;
  }

  /** Publishes changed addresses, capacity or zone as the next version of this node's entry. */
  public void updateSelf(String peerAddress, String clientAddress, int capacity, String zone) {
    NodeEntry next = selfEntry.next(peerAddress, clientAddress, capacity, zone);
    selfEntry = next;
    merge(ClusterState.of(List.of(next), RingState.NONE));
  }

  /** Publishes this node's progress (ring applied, copies completed) as the next entry version. */
  public void updateProgress(long ringApplied, List<PartitionMove> copied) {
    NodeEntry next = selfEntry.withProgress(ringApplied, copied);
    selfEntry = next;
    merge(ClusterState.of(List.of(next), RingState.NONE));
  }

  /**
   * Adopts a ring this node committed as claimant. It spreads like any other entry; if another
   * claimant committed a greater one meanwhile, the greater wins here as everywhere.
   */
  public void commitRing(RingState ring) {
    merge(ClusterState.of(List.of(), ring));
  }

  private void reassertSelf(NodeEntry wanted) {
    NodeEntry held = state.node(self);
    NodeEntry entry = wanted;
    if (held != null && !held.equals(wanted) && NodeEntry.ORDER.compare(held, wanted) >= 0) {
      if (held.generation() != wanted.generation()) {
        throw new IllegalStateException(
            "the cluster holds " + self + " at generation " + held.generation()
                + ", not below this start's " + wanted.generation());
      }
      // Above the held one, keeping what this node reports (progress, auto-join).
      entry = wanted.withVersion(held.version() + 1);
    }
    selfEntry = entry;
    state = state.with(entry);
  }

  private GossipDigest digestProto() {
    if (digestOf != state) {
      digestProto = ClusterStateCodec.digestToProto(state.digest());
      digestOf = state;
    }
    return digestProto;
  }

  private void send(NodeId to, Envelope message) {
    if (!to.equals(self)) {
      peers.send(to, message);
    }
  }

  private static Envelope.Builder envelope() {
    return Envelope.newBuilder().setProtocolVersion(PROTOCOL_VERSION);
  }
}

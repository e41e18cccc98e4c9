package io.dynamo.core.membership;

import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.cluster.ClusterStateStore;
import io.dynamo.core.cluster.Gossiper;
import io.dynamo.core.cluster.MalformedClusterStateException;
import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.MovePhase;
import io.dynamo.core.cluster.NodeEntry;
import io.dynamo.core.cluster.PartitionMove;
import io.dynamo.core.cluster.PendingMove;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.cluster.SeedSink;
import io.dynamo.core.log.RateLimitedLog;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.transfer.TransferId;
import io.dynamo.core.transfer.TransferService;
import io.dynamo.proto.v1.Envelope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in membership (docs/decisions/0007): it gossips the cluster state, persists
 * every new state, hands every new ring to the node, pulls the partition copies this node is
 * gaining, reports its progress in its own entry, and, while it is the claimant, commits the
 * operator's plans and the next phase of the moves under way. Runs on the protocol thread of shard
 * 0; not thread-safe.
 */
public final class MembershipService {
  private static final Logger log = LoggerFactory.getLogger(MembershipService.class);

  /**
   * @param gossipIntervalMillis between gossip rounds and between the claimant's checks
   * @param fanout peers per gossip round
   */
  public record Settings(long gossipIntervalMillis, int fanout) {
    public static final Settings DEFAULT = new Settings(1_000, 2);

    public Settings {
      if (gossipIntervalMillis < 1 || fanout < 1) {
        throw new IllegalArgumentException("gossip interval and fanout must be positive");
      }
    }
  }

  private final NodeId self;
  private final Settings settings;
  private final Gossiper gossiper;
  private final ClusterStateStore store;
  private final StorageExecutor storage;
  private final Scheduler scheduler;
  private final Predicate<NodeId> believedUp;
  private final TransferService transfers;
  private final Consumer<ClusterState> onRing;
  private final RateLimitedLog remoteWarnings;
  private final List<StagedChange> staged = new ArrayList<>();
  /** Moves this node is copying now. */
  private final Set<PartitionMove> copying = new HashSet<>();
  private RingState applied = RingState.NONE;
  /** What the last view handed to the node was made of: the ring and every node's entry. */
  private Object viewKey;
  private boolean saving;
  private boolean saveAgain;
  private boolean started;

  /**
   * @param selfEntry this node's entry for this start (a generation above every earlier start's)
   * @param initial the state loaded from storage, or built from the configuration for a new
   *     cluster, or {@link ClusterState#EMPTY} for a node that finds its cluster through seeds
   * @param believedUp the failure detector's verdict on a peer
   * @param onRing told on the protocol thread of every state whose ring or node entries differ
   *     from the last one it was told of (a new ring, or a node's new addresses), before this node
   *     reports it has applied the ring; the node swaps its view there
   */
  public MembershipService(
      NodeEntry selfEntry,
      ClusterState initial,
      List<String> seeds,
      Settings settings,
      Random random,
      ClusterStateStore store,
      Clock clock,
      Scheduler scheduler,
      StorageExecutor storage,
      PeerSink peers,
      SeedSink seedSink,
      Predicate<NodeId> believedUp,
      TransferService transfers,
      Consumer<ClusterState> onRing) {
    this.self = selfEntry.id();
    this.settings = Objects.requireNonNull(settings, "settings");
    this.store = Objects.requireNonNull(store, "store");
    this.storage = Objects.requireNonNull(storage, "storage");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.believedUp = Objects.requireNonNull(believedUp, "believedUp");
    this.transfers = Objects.requireNonNull(transfers, "transfers");
    this.onRing = Objects.requireNonNull(onRing, "onRing");
    this.remoteWarnings = RateLimitedLog.of(log, clock::monotonicMillis);
    this.gossiper =
        new Gossiper(
            selfEntry, initial, settings.fanout(), seeds, random, peers, seedSink, this::onState);
  }

  /** Applies the initial ring, and starts gossip rounds and the claimant's checks. */
  public void start() {
    if (started) {
      return;
    }
    started = true;
    onState(gossiper.state());
    scheduler.schedule(settings.gossipIntervalMillis(), this::tick);
  }

  public NodeId self() {
    return self;
  }

  public ClusterState state() {
    return gossiper.state();
  }

  public TransferService transfers() {
    return transfers;
  }

  /** The claimant as this node sees it: the first valid member it believes up (itself included). */
  public NodeId claimant() {
    return gossiper.state().claimant(this::reachable);
  }

  public boolean isClaimant() {
    return self.equals(claimant());
  }

  /** The changes staged here, in staging order. */
  public List<StagedChange> staged() {
    return List.copyOf(staged);
  }

  /**
   * Handles a gossip or transfer message; returns false for any other. A malformed one is logged
   * (rate-limited) and dropped.
   */
  public boolean onPeerMessage(NodeId from, Envelope message) {
    if (TransferService.handles(message)) {
      transfers.onMessage(from, message);
      return true;
    }
    // A node with no ring yet learns the cluster from whoever answers its seeds' gossip.
    if (!gossiper.state().ring().isNone() && isStranger(from) && !strangerMayGossip(from, message)) {
      remoteWarnings.warn(
          "stranger-gossip", "gossip from {}, not known to this node, refused: a node not yet in"
              + " the cluster may only announce its own entry", from);
      return true;
    }
    try {
      return gossiper.onMessage(from, message);
    } catch (MalformedClusterStateException e) {
      remoteWarnings.warn("gossip", "gossip from {} refused: {}", from, e.getMessage());
      return true;
    } catch (RuntimeException e) {
      log.error("gossip from {} failed", from, e);
      return true;
    }
  }

  /** A node with no entry and no ring status here: one that announces itself for the first time. */
  private boolean isStranger(NodeId node) {
    ClusterState state = gossiper.state();
    return state.node(node) == null && !state.ring().statuses().containsKey(node);
  }

  /**
   * What a stranger may send: its digest (harmless) or a delta holding only its own entry, with no
   * ring. Anything more would let whoever reaches the peer port write the cluster state.
   */
  private boolean strangerMayGossip(NodeId from, Envelope message) {
    if (message.hasGossipDigest()) {
      return true;
    }
    if (!message.hasGossipDelta()) {
      return false;
    }
    io.dynamo.proto.v1.ClusterStateProto state = message.getGossipDelta().getState();
    return !state.hasRing() && state.getNodesCount() == 1
        && state.getNodes(0).getNodeId().equals(from.value());
  }

  // ---- operator changes (docs/operations.md) ------------------------------------------------

  /** Stages a change here; the plan of everything staged. */
  public Claimant.Plan stage(StagedChange change) {
    List<StagedChange> before = List.copyOf(staged);
    staged.removeIf(c -> c.node().equals(change.node()));
    staged.add(change);
    Claimant.Plan plan = plan();
    if (!plan.problems().isEmpty() && Claimant.plan(gossiper.state(), self, before).problems().isEmpty()) {
      // A change that cannot be planned is not kept: it would block every later plan.
      staged.clear();
      staged.addAll(before);
    }
    return plan;
  }

  public Claimant.Plan clearStaged() {
    staged.clear();
    return plan();
  }

  public Claimant.Plan plan() {
    return Claimant.plan(gossiper.state(), self, staged);
  }

  /**
   * Commits the staged changes if their plan still has hash {@code planHash}.
   *
   * @throws NotClaimantException if this node is not the claimant
   * @throws PlanChangedException if the plan is no longer that one, or cannot be committed
   */
  public RingState commit(long planHash) {
    if (!isClaimant()) {
      throw new NotClaimantException(claimant());
    }
    Claimant.Plan plan = plan();
    if (plan.hash() != planHash || !plan.committable()) {
      throw new PlanChangedException(plan);
    }
    gossiper.commitRing(plan.next());
    staged.clear();
    log.info("committed ring v{}: {} ({} moves)", plan.next().version(), plan.staged(), plan.moves().size());
    return plan.next();
  }

  // ---- internals ----------------------------------------------------------------------------

  private boolean reachable(NodeId node) {
    return node.equals(self) || believedUp.test(node);
  }

  private void tick() {
    try {
      gossiper.round();
      if (isClaimant()) {
        steward();
      }
      startCopies();
    } catch (RuntimeException e) {
      log.error("membership round failed", e);
    } finally {
      scheduler.schedule(settings.gossipIntervalMillis(), this::tick);
    }
  }

  /** The claimant's duties: nodes that join by themselves, and the next phase of moves. */
  private void steward() {
    ClusterState state = gossiper.state();
    if (state.ring().isNone()) {
      return;
    }
    if (state.ring().moves().isEmpty() && staged.isEmpty()) {
      List<StagedChange> joins = Claimant.autoJoins(state, believedUp);
      if (!joins.isEmpty()) {
        Claimant.Plan plan = Claimant.plan(state, self, joins);
        if (plan.committable()) {
          log.info("{} joining by themselves: committing ring v{} ({} moves)", joins,
              plan.next().version(), plan.moves().size());
          gossiper.commitRing(plan.next());
          return;
        }
      }
    }
    RingState next = Claimant.advance(state, self, this::reachable);
    if (next != null) {
      log.info("ring v{}: moves advance ({} left)", next.version(), next.moves().size());
      gossiper.commitRing(next);
    }
  }

  private void onState(ClusterState state) {
    save(state);
    RingState ring = state.ring();
    if (!ring.isNone() && ring.table() != null) {
      java.util.List<Object> key = new ArrayList<>();
      key.add(ring);
      for (NodeEntry e : state.nodes().values()) {
        key.add(List.of(e.id(), e.peerAddress(), e.clientAddress(), e.capacity(), e.zone()));
      }
      if (!key.equals(viewKey)) {
        onRing.accept(state);
        viewKey = key; // only once the node took the view: a failure is tried again
      }
      if (!ring.equals(applied) || gossiper.selfEntry().ringApplied() != ring.version()) {
        applied = ring;
        reportProgress();
      }
    }
    if (started) {
      startCopies();
    }
  }

  /**
   * Publishes the ring version this node applied and the copies it completed that the ring still
   * lists as pending, so the claimant can advance them.
   */
  private void reportProgress() {
    NodeEntry entry = gossiper.selfEntry();
    Set<PartitionMove> copied = new TreeSet<>(PartitionMove.ORDER);
    for (PendingMove m : applied.moves()) {
      if (m.phase() == MovePhase.PENDING && entry.copied().contains(m.move())) {
        copied.add(m.move());
      }
    }
    Set<PartitionMove> reported = new TreeSet<>(PartitionMove.ORDER);
    reported.addAll(entry.copied());
    if (entry.ringApplied() != applied.version() || !copied.equals(reported)) {
      gossiper.updateProgress(applied.version(), List.copyOf(copied));
    }
  }

  /** Pulls the copies this node gains, once every member sends it the writes. */
  private void startCopies() {
    ClusterState state = gossiper.state();
    RingState ring = state.ring();
    if (ring.isNone() || !ring.equals(applied) || !Claimant.allApplied(state, this::reachable)) {
      return;
    }
    NodeEntry entry = gossiper.selfEntry();
    for (PendingMove m : ring.moves()) {
      PartitionMove move = m.move();
      if (m.phase() != MovePhase.PENDING || !move.to().equals(self)
          || copying.contains(move) || entry.copied().contains(move)) {
        continue;
      }
      NodeId source = sourceFor(state, move);
      if (source == null) {
        continue; // no owner holding the partition is reachable now: try again next round
      }
      TransferId id = TransferId.of("p" + move.partition() + "-" + move.from() + "-" + move.to());
      java.util.concurrent.CompletableFuture<io.dynamo.core.transfer.TransferProgress> copy;
      try {
        copy = transfers.start(id, move.partition(), source);
      } catch (RuntimeException e) {
        log.warn("copy of partition {} from {} could not start, will retry: {}", move.partition(),
            source, e.getMessage());
        continue;
      }
      copying.add(move);
      copy.whenComplete((progress, error) -> {
        copying.remove(move);
        if (error != null) {
          log.warn("copy of partition {} from {} failed, will retry: {}", move.partition(), source,
              error.getMessage());
          return;
        }
        log.info("copy of partition {} from {} complete: {} keys", move.partition(), source,
            progress.keysDone());
        NodeEntry now = gossiper.selfEntry();
        List<PartitionMove> copied = new ArrayList<>(now.copied());
        copied.add(move);
        gossiper.updateProgress(now.ringApplied(), copied);
      });
    }
  }

  /**
   * Where to copy a partition from: the move's source if it is reachable and not marked down,
   * else another owner that is.
   */
  private NodeId sourceFor(ClusterState state, PartitionMove move) {
    if (reachable(move.from()) && state.status(move.from()) != MemberStatus.DOWN) {
      return move.from();
    }
    for (NodeId owner : state.ring().table().owners(move.partition())) {
      if (!owner.equals(self) && !owner.equals(move.from()) && reachable(owner)
          && state.status(owner) != MemberStatus.DOWN) {
        return owner;
      }
    }
    return null;
  }

  /** Saves the state off the protocol thread; one save at a time, the latest state last. */
  private void save(ClusterState state) {
    if (saving) {
      saveAgain = true;
      return;
    }
    saving = true;
    storage.execute(
        () -> {
          store.save(state);
          return null;
        },
        (ignored, error) -> {
          saving = false;
          if (error != null) {
            // Tried again with the next change, or within a gossip interval if none comes.
            log.error("could not save the cluster state", error);
            saveAgain = false;
            scheduler.schedule(settings.gossipIntervalMillis(), () -> save(gossiper.state()));
            return;
          }
          if (saveAgain) {
            saveAgain = false;
            save(gossiper.state());
          }
        });
  }
}

package io.dynamo.core.sim;

import io.dynamo.core.membership.FailureDetector;
import io.dynamo.core.membership.PhiAccrualSettings;
import io.dynamo.core.monitor.PeerHealth;
import io.dynamo.core.monitor.PeerVerdicts;
import io.dynamo.core.node.BucketTable;
import io.dynamo.core.node.NodeProtocol;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.node.ShardRouter;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.view.ClusterView;
import io.dynamo.core.view.ViewHolder;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.cluster.ClusterStateStore;
import io.dynamo.core.cluster.NodeEntry;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.membership.ClusterViews;
import io.dynamo.core.membership.MembershipAdmin;
import io.dynamo.core.membership.MembershipService;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.core.transfer.TransferService;
import io.dynamo.core.transfer.TransferSettings;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * One node of a simulated cluster: its storage engine, which outlives crashes, and the current
 * incarnation of its protocol. A crash ends the incarnation: its timers, storage callbacks and
 * unanswered requests vanish, and messages to the node are lost until it restarts with a fresh
 * {@link NodeProtocol} over the same storage. With failure detection on, each incarnation has a
 * fresh {@link FailureDetector} (it has heard from nobody yet, so it believes every peer up) and
 * starts its heartbeat and handoff timers.
 *
 * <p>A node can also be paused, as SIGSTOP or a long GC pause does: it keeps its state and its
 * connections, but runs nothing (messages, timers, storage work) until it resumes; then it runs
 * what piled up, in order, late. A pause is bounded in time by the test, which bounds the backlog.
 */
public final class SimulatedNode implements SimulatedNetwork.Endpoint {
  private final NodeId id;
  /** The node's view of the cluster; kept across crashes, as a node keeps it on disk. */
  private final ViewHolder views;
  private final BucketTable buckets;
  private final ProtocolSettings settings;
  private final Clock clock;
  private final SimulatedEventQueue queue;
  private final Random random;
  private final SimulatedNetwork network;
  private final StorageEngine engine;
  private final long storageMinDelayMillis;
  private final long storageMaxDelayMillis;
  private final PhiAccrualSettings detector;
  private final ShardRouter router;
  private int incarnation;
  private boolean up;
  private boolean paused;
  /** Work that arrived while paused, in arrival order. */
  private final java.util.List<Runnable> deferred = new java.util.ArrayList<>();
  private NodeProtocol[] shards;
  /** Null: the node follows the views the test gives it. Else it runs membership (see below). */
  private final MembershipSetup membershipSetup;
  /** Numbers the views this node derives from its cluster state; kept across incarnations. */
  private long viewVersion;
  private MembershipService membership;
  /** Null: no anti-entropy; else every incarnation runs it with these settings. */
  private io.dynamo.core.antientropy.AntiEntropySettings antiEntropySettings;
  private io.dynamo.core.antientropy.PartitionTrees trees;
  private io.dynamo.core.antientropy.AntiEntropyService antiEntropy;

  /**
   * How a node runs membership, as the server does: its cluster state persisted on its storage
   * (reloaded at each start), a generation from the simulated clock above every earlier
   * incarnation's, seeds as "&lt;id&gt;:7000" addresses, and the view rebuilt from every new ring.
   *
   * @param firstRing the first ring of a new cluster (the original members'), or null for a node
   *     that finds its cluster through its seeds
   */
  record MembershipSetup(
      RingState firstRing,
      List<String> seeds,
      MembershipService.Settings settings,
      TransferSettings transfers) {}

  /** The peer address of simulated node {@code id}: "n1:7000" is node n1's. */
  static String peerAddress(String id) {
    return id + ":7000";
  }

  static String clientAddress(String id) {
    return id + ":8000";
  }

  SimulatedNode(
      NodeId id,
      Ring ring,
      BucketTable buckets,
      ProtocolSettings settings,
      Clock clock,
      SimulatedEventQueue queue,
      Random random,
      SimulatedNetwork network,
      StorageEngine engine,
      long storageMinDelayMillis,
      long storageMaxDelayMillis,
      PhiAccrualSettings detector,
      int shardCount) {
    this(id, ClusterView.of(1, ring), buckets, settings, clock, queue, random, network, engine,
        storageMinDelayMillis, storageMaxDelayMillis, detector, shardCount, null);
  }

  SimulatedNode(
      NodeId id,
      ClusterView initialView,
      BucketTable buckets,
      ProtocolSettings settings,
      Clock clock,
      SimulatedEventQueue queue,
      Random random,
      SimulatedNetwork network,
      StorageEngine engine,
      long storageMinDelayMillis,
      long storageMaxDelayMillis,
      PhiAccrualSettings detector,
      int shardCount,
      MembershipSetup membershipSetup) {
    if (membershipSetup != null && detector == null) {
      throw new IllegalArgumentException("membership needs the failure detector");
    }
    this.id = id;
    this.membershipSetup = membershipSetup;
    this.detector = detector;
    this.views = new ViewHolder(initialView);
    this.viewVersion = initialView.version();
    this.router =
        membershipSetup == null
            ? new ShardRouter(initialView.ring(), shardCount)
            : new ShardRouter(() -> views.current().ring(), shardCount);
    this.buckets = buckets;
    this.settings = settings;
    this.clock = clock;
    this.queue = queue;
    this.random = random;
    this.network = network;
    this.engine = engine;
    this.storageMinDelayMillis = storageMinDelayMillis;
    this.storageMaxDelayMillis = storageMaxDelayMillis;
    network.register(id, this);
  }

  public NodeId id() {
    return id;
  }

  public StorageEngine engine() {
    return engine;
  }

  /** The current incarnation's protocol (its shard 0); null before the first start. */
  public NodeProtocol protocol() {
    return shards == null ? null : shards[0];
  }

  /** Operations the current incarnation's shards wait on. */
  public int pendingOperations() {
    int n = 0;
    for (NodeProtocol shard : shards) {
      n += shard.pendingOperations();
    }
    return n;
  }

  @Override
  public boolean isUp() {
    return up;
  }

  public int incarnation() {
    return incarnation;
  }

  /** Starts a new incarnation over the node's storage. */
  public void start() {
    if (up) {
      throw new IllegalStateException(id + " is already up");
    }
    int current = ++incarnation;
    up = true;
    String name = id.value();
    SimulatedGate alive = task -> gate(current, task);
    // Shards share the node's storage, failure detector and verdicts, as in the server; the
    // simulator runs them all on its one event queue.
    PeerHealth health =
        detector == null ? PeerHealth.ALWAYS_UP : PeerHealth.of(new FailureDetector(id, detector));
    PeerVerdicts verdicts = new PeerVerdicts();
    // Trees live in memory: each incarnation builds its own, as a restarted server does.
    trees = antiEntropySettings == null ? null : new io.dynamo.core.antientropy.PartitionTrees();
    LocalReplica replica =
        new LocalReplica(
            engine, settings.maxClockEntries(), io.dynamo.core.storage.DotCounter.DEFAULT_LEASE_BLOCK,
            bucket -> buckets.propertiesOf(bucket).keyLimits(), trees,
            // With anti-entropy a node may be wiped: new directories get an epoch (from the seed).
            antiEntropySettings == null ? null : random::nextLong);
    Prepared prepared = membershipSetup == null ? null : prepareMembership(current);
    shards = new NodeProtocol[router.count()];
    for (int i = 0; i < shards.length; i++) {
      shards[i] =
          new NodeProtocol(
              id,
              views,
              buckets,
              settings,
              clock,
              new SimulatedScheduler(queue, name, alive),
              network.sinkFor(id),
              new SimulatedStorageExecutor(
                  queue, random, storageMinDelayMillis, storageMaxDelayMillis, name, alive),
              replica,
              health,
              i,
              shards.length,
              verdicts);
    }
    if (membershipSetup != null) {
      attachMembership(current, replica, prepared);
    }
    if (antiEntropySettings != null) {
      NodeProtocol home = shards[0];
      antiEntropy =
          new io.dynamo.core.antientropy.AntiEntropyService(
              id, antiEntropySettings, replica, trees,
              bucket -> buckets.propertiesOf(bucket).conflictMode(), views::current,
              view -> buckets.maxN(view.bucketDefaults()), home::isUp,
              clock, new SimulatedScheduler(queue, name + "/ae", alive),
              new SimulatedStorageExecutor(
                  queue, random, storageMinDelayMillis, storageMaxDelayMillis, name + "/ae", alive),
              network.sinkFor(id));
      home.attachAntiEntropy(antiEntropy);
    }
    if (detector != null) {
      shards[0].start();
    }
  }

  /** As DynamoServer: MembershipService, TransferService and MembershipAdmin on shard 0. */
  private void attachMembership(int current, LocalReplica replica, Prepared prepared) {
    SimulatedGate alive = task -> gate(current, task);
    String name = id.value();
    SimulatedScheduler scheduler = new SimulatedScheduler(queue, name + "/membership", alive);
    SimulatedStorageExecutor storage =
        new SimulatedStorageExecutor(
            queue, random, storageMinDelayMillis, storageMaxDelayMillis, name + "/membership", alive);
    ClusterStateStore store = prepared.store();
    ClusterState initial = prepared.initial();
    NodeEntry self = prepared.self();
    PeerSink peers = network.sinkFor(id);
    TransferService transfers =
        new TransferService(
            id, membershipSetup.transfers(), replica,
            bucket -> buckets.propertiesOf(bucket).conflictMode(),
            TransferService.SourcePolicy.ANY, clock, scheduler, storage, peers);
    NodeProtocol home = shards[0];
    membership =
        new MembershipService(
            self, initial, membershipSetup.seeds(), membershipSetup.settings(), random, store,
            clock, scheduler, storage, peers,
            (address, message) -> {
              // The network knows nodes by id: the address's host is the node's id.
              peers.send(NodeId.of(address.substring(0, address.lastIndexOf(':'))), message);
            },
            home::isUp, transfers,
            state -> followView(ClusterViews.of(state, ++viewVersion, Map.of())));
    home.attach(membership, new MembershipAdmin(membership, storage, engine));
  }

  /** Swaps {@code next} in on every shard of the running incarnation, if it is newer. */
  private void followView(ClusterView next) {
    if (!views.swap(next)) {
      return;
    }
    for (NodeProtocol shard : shards) {
      shard.onViewChanged(next);
    }
  }

  private record Prepared(ClusterStateStore store, ClusterState initial, NodeEntry self) {}

  /**
   * Where this start's cluster state starts (stored, else the first ring, else nothing) and this
   * start's own entry; the view follows the stored ring before the shards are built, as the
   * server's does.
   */
  private Prepared prepareMembership(int current) {
    ClusterStateStore store = new ClusterStateStore(engine);
    ClusterState stored = store.load().orElse(ClusterState.EMPTY);
    ClusterState initial =
        stored.ring().isNone() && membershipSetup.firstRing() != null
            ? stored.with(membershipSetup.firstRing())
            : stored;
    // The simulated clock never goes back, and incarnations count up: each start's generation is
    // above every earlier one's.
    NodeEntry self =
        new NodeEntry(id, peerAddress(id.value()), clientAddress(id.value()), 1, "",
            queue.now() * 1_000 + current, 0);
    if (initial.ring().table() != null) {
      views.swap(ClusterViews.of(initial.with(self), ++viewVersion, Map.of()));
    }
    return new Prepared(store, initial, self);
  }

  /** Runs anti-entropy with {@code settings} from the next start on (needs a failure detector). */
  public void useAntiEntropy(io.dynamo.core.antientropy.AntiEntropySettings settings) {
    this.antiEntropySettings = settings;
  }

  /** The anti-entropy of the current (or last) incarnation; null if the node runs none. */
  public io.dynamo.core.antientropy.AntiEntropyService antiEntropy() {
    return antiEntropy;
  }

  /** The hash trees of the current (or last) incarnation; null without anti-entropy. */
  public io.dynamo.core.antientropy.PartitionTrees trees() {
    return trees;
  }

  /** The membership of the current (or last) incarnation; null if the node runs none. */
  public MembershipService membership() {
    return membership;
  }

  public boolean runsMembership() {
    return membershipSetup != null;
  }

  /** Stops the node at once; what its storage holds stays. */
  public void crash() {
    if (!up) {
      throw new IllegalStateException(id + " is already down");
    }
    up = false;
    paused = false;
    deferred.clear();
  }

  public boolean isPaused() {
    return paused;
  }

  /** Stops running anything until {@link #resume}; messages and timers wait. */
  public void pause() {
    if (!up || paused) {
      throw new IllegalStateException(id + " is not running");
    }
    paused = true;
  }

  /** Runs what waited during the pause, in order, then carries on. */
  public void resume() {
    if (!paused) {
      throw new IllegalStateException(id + " is not paused");
    }
    paused = false;
    for (Runnable task : deferred) {
      queue.schedule(0, id + " resumed", task);
    }
    deferred.clear();
  }

  /** Runs {@code task} of incarnation {@code current} now, after the pause, or never. */
  /**
   * The cluster changed: the node takes {@code next} if it is newer than its view, and every
   * shard of the running incarnation follows it (a down node just keeps the view for its restart).
   */
  public void changeView(ClusterView next) {
    if (!views.swap(next) || !up) {
      return;
    }
    gate(incarnation, () -> {
      for (NodeProtocol shard : shards) {
        shard.onViewChanged(next);
      }
    });
  }

  /** The view this node follows. */
  public ClusterView view() {
    return views.current();
  }

  private void gate(int current, Runnable task) {
    if (!up || incarnation != current) {
      return;
    }
    if (paused) {
      deferred.add(() -> gate(current, task));
      return;
    }
    task.run();
  }

  @Override
  public void receivePeer(NodeId from, Envelope message) {
    if (up) {
      gate(incarnation, () -> shards[router.shardOfPeerMessage(message)].onPeerMessage(from, message));
    }
  }

  @Override
  public void receiveClient(Envelope request, Consumer<Envelope> reply) {
    if (up) {
      gate(incarnation, () -> serveClient(request, reply));
    }
  }

  private void serveClient(Envelope request, Consumer<Envelope> reply) {
    {
      int current = incarnation;
      // A reply from an incarnation that has crashed never leaves the node.
      int partition = router.partitionOfClientRequest(request);
      shards[router.shardOfPartition(partition)].onClientRequest(
          request,
          partition,
          response -> {
            if (up && incarnation == current) {
              reply.accept(response);
            }
          });
    }
  }

  @Override
  public String toString() {
    return id + (up ? "" : " (down)");
  }
}

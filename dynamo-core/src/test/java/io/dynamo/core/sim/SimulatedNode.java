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
    this.id = id;
    this.router = new ShardRouter(ring, shardCount);
    this.detector = detector;
    this.views = new ViewHolder(ClusterView.of(1, ring));
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
    LocalReplica replica =
        new LocalReplica(
            engine, settings.maxClockEntries(), io.dynamo.core.storage.DotCounter.DEFAULT_LEASE_BLOCK,
            bucket -> buckets.propertiesOf(bucket).keyLimits());
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
    if (detector != null) {
      shards[0].start();
    }
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

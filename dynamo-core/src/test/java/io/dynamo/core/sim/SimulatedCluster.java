package io.dynamo.core.sim;

import io.dynamo.core.cluster.BucketDefaults;
import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.PartitionPlanner;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.ring.Member;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.InMemoryStorageEngine;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.Versioned;
import io.dynamo.core.view.ClusterView;
import io.dynamo.proto.v1.PutRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A whole cluster in one thread, from one seed: the event queue, the network, the nodes and the
 * clients' history, put together. Tests drive it with clients and faults (crash, restart,
 * partitions) and check the history afterwards. Everything random draws from the one {@link
 * Random} passed in.
 */
public final class SimulatedCluster {
  private static final long MAX_EVENTS = 5_000_000;

  private final SimulationConfig config;
  private final Random random;
  private final SimulatedEventQueue queue;
  private final SimulatedNetwork network;
  /** The view the cluster's nodes were last told of (see {@link #changeView}). */
  private ClusterView view;
  private final Map<NodeId, SimulatedNode> nodes = new LinkedHashMap<>();
  private final SimulatedHistory history = new SimulatedHistory();
  private final List<String> violations = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private long nextRequestId = 1;
  /** Null: nodes follow the views the test gives them; else every node runs membership. */
  private final SimulatedNode.MembershipSetup membership;
  private final BiFunction<NodeId, SimulatedEventQueue, StorageEngine> storage;
  /** Nodes the clients no longer send to (left or removed, and stopped by the operator). */
  private final java.util.Set<NodeId> retired = new java.util.HashSet<>();

  public SimulatedCluster(SimulationConfig config, Random random, SimulatedTrace trace) {
    this(config, random, trace, node -> new InMemoryStorageEngine());
  }

  /** A cluster whose nodes store through engines from {@code storage}, e.g. fault-injecting ones. */
  public SimulatedCluster(
      SimulationConfig config,
      Random random,
      SimulatedTrace trace,
      Function<NodeId, StorageEngine> storage) {
    this(config, random, trace, (id, queue) -> storage.apply(id), null);
  }

  /** Membership settings for simulations: gossip and the claimant's checks every 100 ms. */
  public static final io.dynamo.core.membership.MembershipService.Settings SIM_MEMBERSHIP =
      new io.dynamo.core.membership.MembershipService.Settings(100, 2);

  /**
   * Transfers for simulations: small chunks, no throttle, timeouts scaled to simulated faults (a
   * chunk request waits 500 ms, doubling up to 4 s; a copy fails after 30 s without progress). With
   * the defaults (5 s doubling to 60 s) a copy whose source crashed or paused a few times waits
   * minutes, longer than a simulation runs.
   */
  public static final io.dynamo.core.transfer.TransferSettings SIM_TRANSFERS =
      io.dynamo.core.transfer.TransferSettings.DEFAULTS.withChunk(16 << 10, 64).withRate(0, 0)
          .withTimeouts(500, 4_000, 30_000);

  /**
   * A cluster whose nodes run membership as servers do (config.failureDetector() must be set):
   * the original members start from the first ring of a new cluster (every member valid, the
   * planner's table), persist their cluster state on their (in-memory) storage, gossip it, and
   * follow every ring they learn. Nodes added later with {@link #addNode} find the cluster through
   * seeds. Change membership through each node's {@link SimulatedNode#membership()}.
   */
  public static SimulatedCluster withMembership(
      SimulationConfig config, Random random, SimulatedTrace trace) {
    return new SimulatedCluster(
        config, random, trace, (id, queue) -> new InMemoryStorageEngine(),
        new SimulatedNode.MembershipSetup(null, List.of(), SIM_MEMBERSHIP, SIM_TRANSFERS));
  }

  /**
   * A cluster whose nodes store on {@link SimulatedDisk}s with {@code durability}, whose buffered
   * writes (without sync) become durable {@code flushDelayMillis} after they are written.
   */
  public static SimulatedCluster withDisks(
      SimulationConfig config,
      Random random,
      SimulatedTrace trace,
      SimulatedDisk.Durability durability,
      long flushDelayMillis) {
    return new SimulatedCluster(
        config, random, trace, (id, queue) -> new SimulatedDisk(durability, flushDelayMillis, queue::now),
        null);
  }

  /** As {@link #withDisks}, every node also running anti-entropy with {@code antiEntropy}. */
  public static SimulatedCluster withAntiEntropy(
      SimulationConfig config,
      Random random,
      SimulatedTrace trace,
      SimulatedDisk.Durability durability,
      long flushDelayMillis,
      io.dynamo.core.antientropy.AntiEntropySettings antiEntropy) {
    return new SimulatedCluster(
        config, random, trace, (id, queue) -> new SimulatedDisk(durability, flushDelayMillis, queue::now),
        null, antiEntropy);
  }

  private SimulatedCluster(
      SimulationConfig config,
      Random random,
      SimulatedTrace trace,
      BiFunction<NodeId, SimulatedEventQueue, StorageEngine> storage,
      SimulatedNode.MembershipSetup membership) {
    this(config, random, trace, storage, membership, null);
  }

  private SimulatedCluster(
      SimulationConfig config,
      Random random,
      SimulatedTrace trace,
      BiFunction<NodeId, SimulatedEventQueue, StorageEngine> storage,
      SimulatedNode.MembershipSetup membership,
      io.dynamo.core.antientropy.AntiEntropySettings antiEntropy) {
    this.config = config;
    this.storage = storage;
    this.random = random;
    this.queue = new SimulatedEventQueue(trace, MAX_EVENTS);
    this.network = new SimulatedNetwork(queue, random, config.network());
    List<Member> members = new ArrayList<>();
    for (int i = 1; i <= config.nodes(); i++) {
      members.add(Member.of("n" + i, 1));
    }
    Ring ring = Ring.create(members, config.partitions(), config.n());
    this.view = ClusterView.of(1, ring);
    RingState first = null;
    if (membership != null) {
      first = firstRing(config, members);
      this.view = ClusterView.of(1, Ring.of(members, first.table()));
      membership =
          new SimulatedNode.MembershipSetup(first, List.of(), membership.settings(), membership.transfers());
    }
    this.membership = membership;
    for (Member m : members) {
      SimulatedNode node =
          new SimulatedNode(
              m.id(),
              view,
              config.buckets(),
              config.settings(),
              new SimulatedClock(queue, 0),
              queue,
              random,
              network,
              storage.apply(m.id(), queue),
              config.storageMinDelayMillis(),
              config.storageMaxDelayMillis(),
              config.failureDetector(),
              config.shards(),
              membership);
      nodes.put(m.id(), node);
      if (antiEntropy != null) {
        node.useAntiEntropy(antiEntropy);
      }
      node.start();
    }
  }

  /** Version 1 of a new cluster, as ClusterBootstrap makes it: every member valid, balanced. */
  private static RingState firstRing(SimulationConfig config, List<Member> members) {
    java.util.Map<NodeId, MemberStatus> statuses = new java.util.TreeMap<>();
    for (Member m : members) {
      statuses.put(m.id(), MemberStatus.VALID);
    }
    return new RingState(
        1, members.get(0).id(), config.partitions(), config.n(), statuses,
        PartitionPlanner.initial(members, config.partitions(), config.n()), List.of(),
        new BucketDefaults(config.n(), config.r(), config.w(), ConflictMode.SIBLINGS));
  }

  /**
   * Starts a new node {@code id} in a cluster that runs membership: no ring, only {@code seeds} to
   * find the cluster through. It is not a member until a claimant commits its join.
   */
  public SimulatedNode addNode(String id, List<NodeId> seeds) {
    if (membership == null) {
      throw new IllegalStateException("only a cluster that runs membership takes new nodes");
    }
    NodeId nodeId = NodeId.of(id);
    if (nodes.containsKey(nodeId)) {
      throw new IllegalArgumentException(id + " exists");
    }
    Ring alone = Ring.create(List.of(Member.of(id, 1)), 1, 1);
    ClusterView unjoined =
        new ClusterView(0, alone, java.util.Map.of(nodeId,
            new ClusterView.Addresses(SimulatedNode.peerAddress(id), SimulatedNode.clientAddress(id))));
    SimulatedNode node =
        new SimulatedNode(
            nodeId, unjoined, config.buckets(), config.settings(), new SimulatedClock(queue, 0), queue,
            random, network, storage.apply(nodeId, queue), config.storageMinDelayMillis(),
            config.storageMaxDelayMillis(), config.failureDetector(), config.shards(),
            new SimulatedNode.MembershipSetup(
                null, seeds.stream().map(s -> SimulatedNode.peerAddress(s.value())).toList(),
                membership.settings(), membership.transfers()));
    nodes.put(nodeId, node);
    node.start();
    note("add " + id + " (seeds " + seeds + ")");
    return node;
  }

  /** Whether the nodes run membership ({@link #withMembership}). */
  public boolean runsMembership() {
    return membership != null;
  }

  /** Clients no longer send to {@code id} (a node that left or was removed). */
  public void retire(NodeId id) {
    retired.add(id);
    note("retire " + id);
  }

  public boolean isRetired(NodeId id) {
    return retired.contains(id);
  }

  /**
   * The greatest ring any running node that is not retired holds (membership clusters): once the
   * cluster has settled, every such node's. (A stopped node may hold a ring that was undone.)
   */
  public RingState latestRing() {
    RingState best = RingState.NONE;
    for (SimulatedNode node : nodes.values()) {
      if (node.membership() != null && node.isUp() && !retired.contains(node.id())) {
        best = best.max(node.membership().state().ring());
      }
    }
    return best;
  }

  /**
   * An oracle for checkers: the dot of the version holding {@code put}'s value in any node's
   * storage (values are unique in simulations), or null if no node holds it any more.
   */
  public Dot findDot(PutRequest put) {
    List<Dot> dots = findDots(put);
    return dots.isEmpty() ? null : dots.get(0);
  }

  /**
   * As {@link #findDot}, every event of the versions holding the put's value on any node, smallest
   * first: a write retried with a write id may have been made by several attempts, each an event,
   * and nodes may hold different copies until they meet.
   */
  public List<Dot> findDots(PutRequest put) {
    byte[] key = put.getKey().toByteArray();
    DataKey dataKey = new DataKey(ring().partitionOf(put.getBucket(), key), put.getBucket(), key);
    List<Dot> out = new ArrayList<>();
    for (NodeId id : nodeIds()) {
      SiblingSet stored =
          new LocalReplica(node(id).engine(), config.settings().maxClockEntries()).read(dataKey);
      for (Versioned v : stored.versions()) {
        if (!v.tombstone() && Arrays.equals(v.value(), put.getValue().toByteArray())) {
          for (Dot d : v.dots()) {
            if (out.stream().noneMatch(d::sameEvent)) {
              out.add(d);
            }
          }
        }
      }
    }
    out.sort(Versioned.DOT_ORDER);
    return out;
  }

  public SimulationConfig config() {
    return config;
  }

  public Random random() {
    return random;
  }

  public SimulatedEventQueue queue() {
    return queue;
  }

  public SimulatedNetwork network() {
    return network;
  }

  /**
   * The ring of the current view; in a cluster that runs membership, the ring of the node holding
   * the greatest ring (which every node holds once the cluster has settled).
   */
  public Ring ring() {
    if (membership != null) {
      ClusterView latest = view;
      for (SimulatedNode node : nodes.values()) {
        if (node.view().version() > 0 && node.membership() != null
            && node.membership().state().ring().equals(latestRing())) {
          return node.view().ring();
        }
      }
      return latest.ring();
    }
    return view.ring();
  }

  /**
   * Tells every node (down ones too: they keep it for their restart) that the cluster is now
   * {@code next}, at once, as a later step's gossip would over time.
   */
  public void changeView(ClusterView next) {
    view = next;
    note("view " + next.version() + ": members " + next.members());
    for (SimulatedNode node : nodes.values()) {
      node.changeView(next);
    }
  }

  public SimulatedHistory history() {
    return history;
  }

  public List<NodeId> nodeIds() {
    return List.copyOf(nodes.keySet());
  }

  public SimulatedNode node(NodeId id) {
    SimulatedNode node = nodes.get(id);
    if (node == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    return node;
  }

  /** A node chosen uniformly at random (among those not retired). */
  public NodeId randomNode() {
    List<NodeId> ids = nodeIds();
    if (!retired.isEmpty()) {
      ids = ids.stream().filter(id -> !retired.contains(id)).toList();
    }
    return ids.get(random.nextInt(ids.size()));
  }

  public SimulatedClient newClient(String name) {
    return new SimulatedClient(name, this, config.clientTimeoutMillis());
  }

  public void crash(NodeId id) {
    node(id).crash();
    note("crash " + id);
  }

  public void restart(NodeId id) {
    node(id).start();
    note("restart " + id);
  }

  /** Pauses {@code id} (SIGSTOP): it keeps its state and runs nothing until resumed. */
  public void pause(NodeId id) {
    node(id).pause();
    note("pause " + id);
  }

  /** Resumes a paused node if it is still paused (a crash ends a pause too). */
  public void resume(NodeId id) {
    if (node(id).isPaused()) {
      node(id).resume();
      note("resume " + id);
    }
  }

  public boolean isUp(NodeId id) {
    return node(id).isUp();
  }

  /**
   * The power fails under {@code id}: its process stops (if it was running) and its disk, which
   * must be a {@link SimulatedDisk}, loses what it had not made durable.
   */
  public void powerLoss(NodeId id) {
    SimulatedNode node = node(id);
    if (!(node.engine() instanceof SimulatedDisk disk)) {
      throw new IllegalStateException(id + " does not store on a SimulatedDisk");
    }
    if (node.isUp()) {
      node.crash();
    }
    int lost = disk.unsyncedBatches();
    disk.powerLoss();
    note("power loss " + id + " (" + lost + " unsynced batches lost)");
  }

  /** Records a fault or phase change, shown in failure messages. */
  public void note(String what) {
    notes.add("t=" + queue.now() + " " + what);
  }

  /** The faults and phase changes noted so far, oldest first. */
  public List<String> notes() {
    return Collections.unmodifiableList(notes);
  }

  /** Hints each node holds (read from its storage, whether it is up or not). */
  public Map<NodeId, Long> pendingHints() {
    Map<NodeId, Long> out = new LinkedHashMap<>();
    for (NodeId id : nodeIds()) {
      long count =
          new LocalReplica(node(id).engine(), config.settings().maxClockEntries())
              .hintQueues().values().stream()
              .mapToLong(LocalReplica.HintQueueStats::count)
              .sum();
      out.put(id, count);
    }
    return out;
  }

  /** True when every node is up and believes every other node up. */
  public boolean everyoneSeesEveryoneUp() {
    for (SimulatedNode a : nodes.values()) {
      if (!a.isUp()) {
        return false;
      }
      for (NodeId b : nodes.keySet()) {
        if (!a.protocol().isUp(b)) {
          return false;
        }
      }
    }
    return true;
  }

  long nextRequestId() {
    return nextRequestId++;
  }

  /** Records a broken harness-level promise (a request answered twice...). */
  void violation(String what) {
    violations.add("t=" + queue.now() + ": " + what);
  }

  /** Broken promises the harness saw, beyond what the checkers look for. */
  public List<String> violations() {
    return Collections.unmodifiableList(violations);
  }

  /** Runs events until none is left: every message delivered or lost, every timer fired. */
  public void runUntilIdle() {
    queue.runUntilIdle();
  }

  /** Runs every event due up to simulated time {@code time}, which becomes the current time. */
  public void runUntilTime(long time) {
    queue.runUntilTime(time);
  }

  /** Runs for {@code millis} of simulated time. */
  public void runFor(long millis) {
    queue.runUntilTime(queue.now() + millis);
  }

  /**
   * Runs until {@code condition} holds, checking it every {@code pollMillis} of simulated time (so
   * it may be costly), for at most {@code limitMillis}; returns whether it held.
   */
  public boolean runUntil(BooleanSupplier condition, long pollMillis, long limitMillis) {
    long deadline = queue.now() + limitMillis;
    while (!condition.getAsBoolean()) {
      if (queue.now() >= deadline) {
        return false;
      }
      queue.runUntilTime(Math.min(deadline, queue.now() + pollMillis));
    }
    return true;
  }

  /**
   * Problems visible once the queue is idle: harness violations, and coordinators still holding
   * operations (each should have answered or timed out).
   */
  public List<String> quiescenceProblems() {
    List<String> out = new ArrayList<>(violations);
    for (SimulatedNode node : nodes.values()) {
      if (node.isUp() && node.pendingOperations() != 0) {
        out.add(node.id() + " still holds " + node.pendingOperations()
            + " operations with nothing left to run");
      }
    }
    if (history.inFlight() != 0) {
      out.add(history.inFlight() + " client operations never completed");
    }
    return out;
  }

  /** One line describing the cluster and its traffic, for failure messages. */
  public String describe() {
    return config + "; at t=" + queue.now() + " after " + queue.executed() + " events, "
        + network.sent() + " messages sent, " + network.dropped() + " lost";
  }
}

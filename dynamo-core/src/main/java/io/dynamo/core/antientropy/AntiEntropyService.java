package io.dynamo.core.antientropy;

import com.google.protobuf.ByteString;
import io.dynamo.core.log.RateLimitedLog;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.transfer.TokenBucket;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.view.ClusterView;
import io.dynamo.proto.v1.AeFetchRequest;
import io.dynamo.proto.v1.AeKeyDigest;
import io.dynamo.proto.v1.AeKeysRequest;
import io.dynamo.proto.v1.AeKeysResponse;
import io.dynamo.proto.v1.AeRecord;
import io.dynamo.proto.v1.AeRecords;
import io.dynamo.proto.v1.AeRecordsAck;
import io.dynamo.proto.v1.AeTreeRequest;
import io.dynamo.proto.v1.AeTreeResponse;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.PartitionRepairStatus;
import io.dynamo.proto.v1.RepairStatusResponse;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's anti-entropy (docs/anti-entropy.md): it keeps a {@link HashTree} for every partition it
 * owns, exchanges each of them with every other owner within a sweep period (and at once on an
 * operator's {@link #repair}), and answers other owners' exchanges. Partitions under a move are
 * skipped: the move's copy brings the new owner up to date, and exchanges follow the new owners once
 * it is done.
 *
 * <p>Runs on the protocol thread of shard 0: the node's dispatcher hands it every anti-entropy
 * envelope ({@link #handles}), and storage work (scans, reads, merges, tree builds) goes through
 * the {@link StorageExecutor}. Not thread-safe.
 */
public final class AntiEntropyService {
  private static final Logger log = LoggerFactory.getLogger(AntiEntropyService.class);
  /** Scans answering peers' key requests at once; more wait, up to a bound, then are refused. */
  private static final int MAX_CONCURRENT_SCANS = 2;
  private static final int MAX_WAITING_SCANS = 64;
  private static final int MAX_SEGMENT_HASH_BRANCHES = HashTree.BRANCHES;

  private final NodeId self;
  private final AntiEntropySettings settings;
  private final LocalReplica replica;
  private final PartitionTrees trees;
  private final Function<String, ConflictMode> conflictModes;
  private final Supplier<ClusterView> views;
  private final PartitionRoles roles;
  private final CopyHandover handover;
  private final TombstoneCollector collector;
  private final Predicate<NodeId> isUp;
  private final Clock clock;
  private final Scheduler scheduler;
  private final StorageExecutor storage;
  private final PeerSink peers;
  private final RateLimitedLog peerLog;
  private final TokenBucket outbound;

  private final Map<Integer, PartitionRepairStats> stats = new TreeMap<>();
  /** When each partition's tree was last built (monotonic millis), for periodic rebuilds. */
  private final Map<Integer, Long> builtAt = new HashMap<>();
  private final Map<Long, Exchange> exchanges = new HashMap<>();
  /** Partitions an operator asked to repair, in order; taken before scheduled ones. */
  private final LinkedHashMap<Integer, Boolean> onDemand = new LinkedHashMap<>();
  /**
   * Partitions whose last exchange stopped at its segment or key cap: exchanged again as soon as
   * there is room, so a large difference (a node rebuilt from empty) is repaired at the byte budget
   * rather than one capped round per sweep.
   */
  private final LinkedHashMap<Integer, Boolean> followUps = new LinkedHashMap<>();
  /** Partitions being exchanged now (with one peer after another). */
  private final Set<Integer> running = new LinkedHashSet<>();
  private final Deque<Integer> rebuildQueue = new ArrayDeque<>();
  private final BitSet rebuildQueued = new BitSet();
  private boolean rebuilding;
  private int scans;
  private final Deque<Runnable> waitingScans = new ArrayDeque<>();
  /** Bytes this node sent answering other owners' exchanges. */
  private long answerBytes;
  private long nextExchangeId = 1;
  private int cursor;
  private boolean started;
  private boolean closed;
  private Scheduler.Cancellable tick;
  /** Times a scan found a tree not matching its partition's data (then rebuilt). */
  private long treesFoundWrong;
  /** Partitions whose last scan found the tree not matching the data. */
  private final Set<Integer> suspectTrees = new java.util.HashSet<>();

  public AntiEntropyService(
      NodeId self,
      AntiEntropySettings settings,
      LocalReplica replica,
      PartitionTrees trees,
      Function<String, ConflictMode> conflictModes,
      Supplier<ClusterView> views,
      java.util.function.ToIntFunction<ClusterView> maxReplicas,
      Predicate<NodeId> isUp,
      Clock clock,
      Scheduler scheduler,
      StorageExecutor storage,
      PeerSink peers) {
    this.self = Objects.requireNonNull(self, "self");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.replica = Objects.requireNonNull(replica, "replica");
    this.trees = Objects.requireNonNull(trees, "trees");
    this.conflictModes = Objects.requireNonNull(conflictModes, "conflictModes");
    this.views = Objects.requireNonNull(views, "views");
    this.roles = new PartitionRoles(self, Objects.requireNonNull(maxReplicas, "maxReplicas"));
    this.handover = new CopyHandover(this, roles);
    this.collector = new TombstoneCollector(this, roles);
    this.isUp = Objects.requireNonNull(isUp, "isUp");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.storage = Objects.requireNonNull(storage, "storage");
    this.peers = Objects.requireNonNull(peers, "peers");
    this.peerLog = RateLimitedLog.of(log, clock::monotonicMillis);
    this.outbound = new TokenBucket(settings.bytesPerSecond(), Math.max(1 << 20, settings.bytesPerSecond()));
  }

  public static boolean handles(Envelope message) {
    return switch (message.getBodyCase()) {
      case AE_TREE_REQUEST, AE_TREE_RESPONSE, AE_KEYS_REQUEST, AE_KEYS_RESPONSE, AE_RECORDS,
          AE_FETCH_REQUEST, AE_RECORDS_ACK, AE_GC_POLL, AE_GC_POLL_RESPONSE, AE_GC_PURGE -> true;
      default -> false;
    };
  }

  /** Starts building the owned partitions' trees and, when enabled, the exchange schedule. */
  public void start() {
    if (started) {
      return;
    }
    started = true;
    for (int p : roles.owned(views.get())) {
      queueRebuild(p);
    }
    scheduleTick();
  }

  public void close() {
    closed = true;
    if (tick != null) {
      tick.cancel();
    }
    for (Exchange e : new ArrayList<>(exchanges.values())) {
      e.abort("closing");
    }
  }

  /** The view changed: build trees for newly owned partitions, drop those of partitions given up. */
  public void onViewChanged(ClusterView view) {
    if (!started) {
      return;
    }
    Set<Integer> owned = new LinkedHashSet<>(roles.owned(view));
    for (int p : owned) {
      if (!trees.ready(p)) {
        queueRebuild(p);
      }
    }
    for (int p : new ArrayList<>(builtAt.keySet())) {
      if (!owned.contains(p)) {
        trees.drop(p);
        builtAt.remove(p);
      }
    }
    for (Exchange e : new ArrayList<>(exchanges.values())) {
      boolean still = e.pushOnly()
          ? roles.servable(view, e.partition, e.peer, self) && !roles.holders(view, e.partition).contains(self)
          : roles.exchangeable(view, e.partition, e.peer);
      if (!still) {
        e.abort("partition " + e.partition + " changed hands");
      }
    }
  }

  // ---- operator ----

  /**
   * Queues every owned partition (or just {@code partition}) for an exchange now, with every other
   * owner, or, when {@code everyMemberAsked} (an operator asks all members at once), only with the
   * owners after this node in each partition's owner list, so each pair exchanges once.
   */
  public List<Integer> repair(Integer partition, boolean everyMemberAsked) {
    ClusterView view = views.get();
    List<Integer> queued = new ArrayList<>();
    for (int p : roles.owned(view)) {
      if (partition == null || partition == p) {
        if (onDemand.putIfAbsent(p, everyMemberAsked) == null || running.contains(p)) {
          queued.add(p);
        }
      }
    }
    pump();
    return queued;
  }

  /** On-demand exchanges still queued or running. */
  public int pendingRepairs() {
    int n = onDemand.size();
    for (int p : running) {
      if (!onDemand.containsKey(p)) {
        n++;
      }
    }
    return n;
  }

  public RepairStatusResponse status() {
    ClusterView view = views.get();
    Set<Integer> owned = new LinkedHashSet<>(roles.owned(view));
    RepairStatusResponse.Builder out =
        RepairStatusResponse.newBuilder()
            .setNodeId(self.value())
            .setRingVersion(view.version())
            .setPending(pendingRepairs())
            .setExchangesRunning(running.size())
            .setAnswerBytesSent(answerBytes)
            .setTreesFoundWrong(treesFoundWrong)
            .setKeysRemovedNotOwned(handover.keysRemoved())
            .setPartitionsHeldNotOwned(handover.partitionsHeld());
    long now = clock.monotonicMillis();
    Set<Integer> all = new java.util.TreeSet<>(owned);
    all.addAll(stats.keySet());
    for (int p : all) {
      PartitionRepairStats s = stats.getOrDefault(p, new PartitionRepairStats());
      long lastFull = owned.contains(p) ? s.lastFullExchangeStart(roles.otherOwners(view, p)) : -1;
      Long root = trees.read(p, HashTree::root);
      out.addPartitions(
          PartitionRepairStatus.newBuilder()
              .setPartition(p)
              .setRoot(root == null ? 0 : root)
              .setTreeReady(root != null)
              .setMillisSinceFullExchange(
                  lastFull < 0 ? -1 : now - lastFull)
              .setExchanges(s.exchanges)
              .setKeysCompared(s.keysCompared)
              .setKeysRepaired(s.keysRepaired)
              .setBytesSent(s.bytesSent)
              .setTreeRebuilds(trees.rebuilds(p))
              .setTombstonesPurged(s.tombstonesPurged)
              .setPending(onDemand.containsKey(p) || running.contains(p))
              .setOwned(owned.contains(p)));
    }
    return out.build();
  }

  // ---- scheduling ----

  private void scheduleTick() {
    if (closed) {
      return;
    }
    int owned = Math.max(1, roles.owned(views.get()).size());
    long every = Math.max(100, Math.min(60_000, settings.sweepMillis() / owned));
    tick = scheduler.schedule(every, () -> {
      onTick();
      scheduleTick();
    });
  }

  private void onTick() {
    if (closed) {
      return;
    }
    ClusterView view = views.get();
    long now = clock.monotonicMillis();
    if (settings.rebuildMillis() > 0) {
      for (Map.Entry<Integer, Long> e : builtAt.entrySet()) {
        if (now - e.getValue() > settings.rebuildMillis()) {
          queueRebuild(e.getKey());
        }
      }
    }
    if (settings.cleanupGraceMillis() > 0) {
      handover.scan(view, now);
      handover.clean(view, now);
    }
    if (settings.tombstoneGraceMillis() > 0) {
      collector.collect(view);
    }
    if (settings.enabled() && running.size() < settings.maxConcurrentExchanges()) {
      List<Integer> owned = roles.owned(view);
      if (!owned.isEmpty()) {
        cursor = (cursor + 1) % owned.size();
        int p = owned.get(cursor);
        if (!running.contains(p)) {
          runPartition(p, true);
        }
      }
    }
    pump();
  }

  /** Starts on-demand exchanges, then follow-ups, while there is room. */
  private void pump() {
    for (Map.Entry<Integer, Boolean> e : new ArrayList<>(onDemand.entrySet())) {
      if (running.size() >= settings.maxConcurrentRepairs()) {
        break;
      }
      int p = e.getKey();
      if (running.contains(p)) {
        continue;
      }
      if (!trees.ready(p) && PartitionRoles.isOwner(views.get(), p, self) && !PartitionRoles.movingIn(views.get(), p)) {
        queueRebuild(p); // stays queued until its tree is built: a repair is not dropped
        continue;
      }
      onDemand.remove(p);
      runPartition(p, e.getValue());
    }
    for (Map.Entry<Integer, Boolean> e : new ArrayList<>(followUps.entrySet())) {
      if (running.size() >= settings.maxConcurrentExchanges()) {
        break;
      }
      if (!running.contains(e.getKey())) {
        followUps.remove(e.getKey());
        runPartition(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * Exchanges {@code partition} with every other owner at once, or with those after this node in
   * the owner list when {@code laterOwnersOnly} (each pair of owners exchanges once when every
   * owner does this).
   */
  private void runPartition(int partition, boolean laterOwnersOnly) {
    ClusterView view = views.get();
    if (!PartitionRoles.isOwner(view, partition, self) || PartitionRoles.movingIn(view, partition)) {
      return;
    }
    if (!trees.ready(partition)) {
      queueRebuild(partition);
      return;
    }
    List<NodeId> others = new ArrayList<>();
    boolean afterSelf = false;
    for (NodeId owner : view.ring().table().owners(partition)) {
      if (owner.equals(self)) {
        afterSelf = true;
      } else if (afterSelf || !laterOwnersOnly) {
        others.add(owner);
      }
    }
    running.add(partition);
    long startedAt = clock.monotonicMillis();
    PartitionRepairStats s = stats.computeIfAbsent(partition, p -> new PartitionRepairStats());
    // With every other owner at once: the exchanges mostly wait, each on its own peer.
    int[] left = {others.size()};
    Runnable oneDone = () -> {
      if (--left[0] == 0) {
        running.remove(partition);
        // Leave the protocol thread's current turn before the next exchanges start.
        scheduler.schedule(0, this::pump);
      }
    };
    if (others.isEmpty()) {
      left[0] = 1;
      oneDone.run();
      return;
    }
    for (NodeId peer : others) {
      if (closed || !isUp.test(peer) || !roles.exchangeable(view, partition, peer)) {
        oneDone.run();
        continue;
      }
      long id = nextExchangeId++;
      Exchange exchange = new Exchange(this, id, partition, peer, result -> {
        exchanges.remove(id);
        s.exchanges++;
        s.keysCompared += result.keysCompared();
        s.keysRepaired += result.keysRepaired();
        s.bytesSent += result.bytesSent();
        if (!result.completed()) {
          log.debug("exchange of partition {} with {} did not complete: {}", partition, peer,
              result.detail());
        } else {
          if (!result.more()) {
            s.lastWith.put(peer, startedAt);
          }
          if (result.keysRepaired() > 0) {
            log.info("anti-entropy repaired {} keys of partition {} with {}",
                result.keysRepaired(), partition, peer);
          }
        }
        if (result.more()) {
          followUps.put(partition, laterOwnersOnly);
        }
        oneDone.run();
      });
      exchanges.put(id, exchange);
      exchange.start();
    }
  }

  /** Notes, as responder, that {@code peer}'s exchange of {@code partition} found equal roots. */
  private void exchangedWith(int partition, NodeId peer) {
    stats.computeIfAbsent(partition, x -> new PartitionRepairStats())
        .lastWith.put(peer, clock.monotonicMillis());
  }


  // ---- trees ----

  private void queueRebuild(int partition) {
    if (rebuildQueued.get(partition)) {
      return;
    }
    rebuildQueued.set(partition);
    rebuildQueue.add(partition);
    nextRebuild();
  }

  private void nextRebuild() {
    if (rebuilding || closed || rebuildQueue.isEmpty()) {
      return;
    }
    int p = rebuildQueue.poll();
    rebuildQueued.clear(p);
    if (!PartitionRoles.isOwner(views.get(), p, self)) {
      nextRebuild();
      return;
    }
    rebuilding = true;
    storage.execute(() -> trees.rebuild(p, replica.engine()) && trees.ready(p), (built, error) -> {
      rebuilding = false;
      if (error != null) {
        log.warn("building the hash tree of partition {} failed: {}", p, error.toString());
      } else if (Boolean.TRUE.equals(built)) {
        builtAt.put(p, clock.monotonicMillis());
      }
      nextRebuild();
    });
  }

  // ---- messages ----

  public void onMessage(NodeId from, Envelope message) {
    try {
      switch (message.getBodyCase()) {
        case AE_TREE_REQUEST -> answerTree(from, message.getAeTreeRequest());
        case AE_KEYS_REQUEST -> answerKeys(from, message.getAeKeysRequest());
        case AE_FETCH_REQUEST -> answerFetch(from, message.getAeFetchRequest());
        case AE_RECORDS -> onRecords(from, message.getAeRecords());
        case AE_TREE_RESPONSE -> {
          Exchange e = exchangeOf(from, message.getAeTreeResponse().getExchangeId());
          if (e != null) {
            e.onTreeResponse(message.getAeTreeResponse());
          }
        }
        case AE_KEYS_RESPONSE -> {
          Exchange e = exchangeOf(from, message.getAeKeysResponse().getExchangeId());
          if (e != null) {
            e.onKeysResponse(message.getAeKeysResponse());
          }
        }
        case AE_GC_POLL -> collector.answerPoll(from, message.getAeGcPoll());
        case AE_GC_POLL_RESPONSE -> collector.onPollResponse(from, message.getAeGcPollResponse());
        case AE_GC_PURGE -> collector.onPurge(from, message.getAeGcPurge());
        case AE_RECORDS_ACK -> {
          Exchange e = exchangeOf(from, message.getAeRecordsAck().getExchangeId());
          if (e != null) {
            e.onAck(message.getAeRecordsAck());
          }
        }
        default -> { }
      }
    } catch (RuntimeException e) {
      peerLog.warn("ae-bad-message", "ignoring anti-entropy message {} from {}: {}",
          message.getBodyCase(), from, e.toString());
    }
  }

  private Exchange exchangeOf(NodeId from, long id) {
    Exchange e = exchanges.get(id);
    return e != null && e.peer.equals(from) ? e : null;
  }

  private void answerTree(NodeId from, AeTreeRequest r) {
    int p = r.getPartition();
    AeTreeResponse.Builder out =
        AeTreeResponse.newBuilder().setExchangeId(r.getExchangeId()).setPartition(p);
    if (!roles.exchangeable(views.get(), p, from)) {
      send(from, Envelope.newBuilder().setAeTreeResponse(out.setStatus(AeTreeResponse.Status.REFUSED)));
      return;
    }
    if (r.getBranchesCount() > MAX_SEGMENT_HASH_BRANCHES) {
      peerLog.warn("ae-bad-request", "{} asked for {} branches", from, r.getBranchesCount());
      send(from, Envelope.newBuilder().setAeTreeResponse(out.setStatus(AeTreeResponse.Status.REFUSED)));
      return;
    }
    for (int b : r.getBranchesList()) {
      if (b < 0 || b >= HashTree.BRANCHES) {
        send(from, Envelope.newBuilder().setAeTreeResponse(out.setStatus(AeTreeResponse.Status.REFUSED)));
        return;
      }
    }
    out.addAllBranches(r.getBranchesList());
    Boolean ready = trees.read(p, tree -> {
      out.setRoot(tree.root());
      if (r.getBranchesCount() == 0) {
        if (tree.root() != r.getRoot()) {
          for (long h : tree.branches()) {
            out.addHashes(h);
          }
        }
      } else {
        for (int b : r.getBranchesList()) {
          for (long h : tree.segmentsOf(b)) {
            out.addHashes(h);
          }
        }
      }
      return true;
    });
    if (ready == null) {
      queueRebuild(p);
      out.setStatus(AeTreeResponse.Status.NOT_READY);
    } else {
      out.setStatus(AeTreeResponse.Status.OK);
      if (r.getBranchesCount() == 0 && out.getRoot() == r.getRoot()) {
        exchangedWith(p, from);
      }
    }
    send(from, Envelope.newBuilder().setAeTreeResponse(out));
  }

  private void answerKeys(NodeId from, AeKeysRequest r) {
    int p = r.getPartition();
    AeKeysResponse.Builder out =
        AeKeysResponse.newBuilder().setExchangeId(r.getExchangeId()).setPartition(p);
    if (!roles.servable(views.get(), p, self, from)
        || r.getSegmentsCount() > AntiEntropySettings.MAX_SEGMENTS_PER_REQUEST
        || waitingScans.size() >= MAX_WAITING_SCANS) {
      send(from, Envelope.newBuilder().setAeKeysResponse(out.setStatus(AeTreeResponse.Status.REFUSED)));
      return;
    }
    List<Integer> segments = new ArrayList<>();
    for (int s : r.getSegmentsList()) {
      if (s < 0 || s >= HashTree.SEGMENTS) {
        send(from, Envelope.newBuilder().setAeKeysResponse(out.setStatus(AeTreeResponse.Status.REFUSED)));
        return;
      }
      segments.add(s);
    }
    waitingScans.add(() -> localDigests(p, segments, (digests, error) -> {
      scans--;
      nextScan();
      if (error != null) {
        send(from, Envelope.newBuilder().setAeKeysResponse(out.setStatus(AeTreeResponse.Status.NOT_READY)));
        return;
      }
      for (Map.Entry<ByteBuffer, Long> d : digests.entrySet()) {
        out.addKeys(AeKeyDigest.newBuilder()
            .setKey(ByteString.copyFrom(d.getKey().array())).setDigest(d.getValue()));
      }
      send(from, Envelope.newBuilder().setAeKeysResponse(out.setStatus(AeTreeResponse.Status.OK)));
    }));
    nextScan();
  }

  /** Starts waiting scans for peers' key requests while fewer than the limit run. */
  private void nextScan() {
    while (scans < MAX_CONCURRENT_SCANS && !waitingScans.isEmpty()) {
      scans++;
      waitingScans.poll().run();
    }
  }

  private void answerFetch(NodeId from, AeFetchRequest r) {
    int p = r.getPartition();
    if (!roles.exchangeable(views.get(), p, from)
        || r.getKeysCount() > AntiEntropySettings.MAX_KEYS_PER_FETCH) {
      peerLog.warn("ae-bad-fetch", "refusing a fetch of {} keys of partition {} from {}",
          r.getKeysCount(), p, from);
      return;
    }
    List<byte[]> keys = new ArrayList<>();
    for (ByteString k : r.getKeysList()) {
      byte[] key = k.toByteArray();
      if (!PartitionRoles.inPartition(key, p)) {
        peerLog.warn("ae-bad-fetch", "{} fetched a key outside partition {}", from, p);
        return;
      }
      keys.add(key);
    }
    readRecords(p, keys, (batches, error) -> {
      if (error != null) {
        peerLog.warn("ae-read", "reading records for {} failed: {}", from, error.toString());
        return;
      }
      // One answer per fetch: only the first batch (the rest is asked for again).
      AeRecords first = batches.isEmpty()
          ? AeRecords.newBuilder().setPartition(p).build()
          : batches.get(0);
      send(from, Envelope.newBuilder().setAeRecords(
          first.toBuilder().setExchangeId(r.getExchangeId()).setFetched(true)));
    });
  }

  private void onRecords(NodeId from, AeRecords r) {
    if (r.getFetched()) {
      Exchange e = exchangeOf(from, r.getExchangeId());
      if (e != null) {
        e.onFetched(r);
      }
      return;
    }
    int p = r.getPartition();
    if (!roles.servable(views.get(), p, self, from)) {
      peerLog.warn("ae-refused-records", "refusing records of partition {} from {}", p, from);
      return;
    }
    for (AeRecord rec : r.getRecordsList()) {
      if (!PartitionRoles.inPartition(rec.getKey().toByteArray(), p)) {
        peerLog.warn("ae-bad-records", "{} sent a key outside partition {}", from, p);
        return;
      }
    }
    mergeRecords(p, r.getRecordsList(), (merged, error) -> {
      int ok = error == null ? merged : 0;
      send(from, Envelope.newBuilder().setAeRecordsAck(
          AeRecordsAck.newBuilder().setExchangeId(r.getExchangeId()).setPartition(p)
              .setMerged(ok).setFailed(r.getRecordsCount() - ok)));
    });
  }

  // ---- storage work, for exchanges on both sides ----

  /** The digests of this node's keys of {@code partition} in {@code segments}. */
  void localDigests(
      int partition, List<Integer> segments, BiConsumer<Map<ByteBuffer, Long>, Throwable> done) {
    BitSet wanted = new BitSet(HashTree.SEGMENTS);
    for (int s : segments) {
      wanted.set(s);
    }
    storage.execute(() -> {
      long[] before = segmentHashes(partition, segments);
      Map<ByteBuffer, Long> out = new LinkedHashMap<>();
      long[] scanned = new long[HashTree.SEGMENTS];
      replica.engine().scan(
          Keyspace.DATA,
          DataKey.partitionStart(partition),
          DataKey.partitionStart(partition + 1),
          (k, v) -> {
            int segment = KeyHashes.segmentOf(k);
            if (wanted.get(segment)) {
              long digest = KeyHashes.contribution(k, v);
              out.put(ByteBuffer.wrap(k), digest);
              scanned[segment] ^= digest;
            }
            return true;
          });
      long[] after = segmentHashes(partition, segments);
      // The scan doubles as a check of the tree: where no write changed a segment during the scan
      // (its hash the same before and after), the tree must equal what the data hashes to.
      if (before != null && after != null) {
        for (int i = 0; i < segments.size(); i++) {
          if (before[i] == after[i] && before[i] != scanned[segments.get(i)]) {
            return new Scan(out, true);
          }
        }
      }
      return new Scan(out, false);
    }, (scan, error) -> {
      if (scan == null) {
        done.accept(null, error);
        return;
      }
      // A write lands in storage just before its tree update, so one mismatch may be a race:
      // only two checks in a row condemn the tree.
      if (!scan.treeWrong()) {
        suspectTrees.remove(partition);
      } else if (!suspectTrees.add(partition)) {
        suspectTrees.remove(partition);
        treesFoundWrong++;
        log.warn("the hash tree of partition {} does not match its data; rebuilding it", partition);
        trees.drop(partition);
        queueRebuild(partition);
      }
      done.accept(scan.digests(), null);
    });
  }

  /** A scan's key digests, and whether it found the tree not matching the data. */
  private record Scan(Map<ByteBuffer, Long> digests, boolean treeWrong) {}

  /** The tree's hashes of {@code segments}, or null without a tree. Thread-safe. */
  private long[] segmentHashes(int partition, List<Integer> segments) {
    return trees.read(partition, tree -> {
      long[] out = new long[segments.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = tree.segment(segments.get(i));
      }
      return out;
    });
  }

  /** This node's records of {@code keys}, in messages of bounded size (absent keys: empty). */
  void readRecords(int partition, List<byte[]> keys, BiConsumer<List<AeRecords>, Throwable> done) {
    storage.execute(() -> {
      List<AeRecords> out = new ArrayList<>();
      AeRecords.Builder batch = AeRecords.newBuilder().setPartition(partition);
      long bytes = 0;
      long total = 0;
      for (byte[] k : keys) {
        if (total > AntiEntropySettings.MAX_PUSH_BYTES) {
          break; // the rest waits for the next exchange (it still differs then)
        }
        byte[] record = replica.engine().get(Keyspace.DATA, k);
        AeRecord rec = AeRecord.newBuilder().setKey(ByteString.copyFrom(k))
            .setRecord(record == null ? ByteString.EMPTY : ByteString.copyFrom(record)).build();
        if (batch.getRecordsCount() > 0
            && bytes + rec.getSerializedSize() > AntiEntropySettings.MAX_RECORD_BYTES_PER_MESSAGE) {
          out.add(batch.build());
          batch = AeRecords.newBuilder().setPartition(partition);
          bytes = 0;
        }
        batch.addRecords(rec);
        bytes += rec.getSerializedSize();
        total += rec.getSerializedSize();
      }
      if (batch.getRecordsCount() > 0) {
        out.add(batch.build());
      }
      return out;
    }, done);
  }

  /** Merges records another owner holds into this replica; counts the ones merged. */
  void mergeRecords(int partition, List<AeRecord> records, BiConsumer<Integer, Throwable> done) {
    long now = clock.currentTimeMillis();
    storage.execute(() -> {
      int merged = 0;
      for (AeRecord rec : records) {
        if (rec.getRecord().isEmpty()) {
          continue; // absent on the sender
        }
        DataKey key = DataKey.decode(rec.getKey().toByteArray());
        try {
          replica.merge(key, rec.getRecord().toByteArray(), conflictModes.apply(key.bucket()), null, now);
          merged++;
        } catch (MalformedVersionException e) {
          log.warn("anti-entropy: a peer's record of {} is corrupt, not merged: {}", key, e.getMessage());
        }
      }
      return merged;
    }, done);
  }

  // ---- helpers ----

  /**
   * Sends within the byte budget: at once, or once the budget is out of debt. Returns how long
   * the message is held back (0: sent now).
   */
  long sendToPeer(NodeId to, Envelope message) {
    long delay = outbound.delayMillis(clock.monotonicMillis());
    outbound.spend(message.getSerializedSize(), clock.monotonicMillis());
    if (delay <= 0) {
      peers.send(to, message);
    } else {
      scheduler.schedule(delay, () -> {
        if (!closed) {
          peers.send(to, message);
        }
      });
    }
    return Math.max(0, delay);
  }

  /** Sends an answer to a peer's exchange. */
  private void send(NodeId to, Envelope.Builder message) {
    Envelope e = message.build();
    answerBytes += e.getSerializedSize();
    sendToPeer(to, e);
  }

  /** Sends an answer to a peer's exchange (counted as answer bytes). */
  void sendAnswer(NodeId to, Envelope.Builder message) {
    send(to, message);
  }

  ClusterView view() {
    return views.get();
  }

  boolean isUp(NodeId node) {
    return isUp.test(node);
  }

  boolean closed() {
    return closed;
  }

  long nextExchangeId() {
    return nextExchangeId++;
  }

  /** Routes a peer's answers to {@code exchange} until {@link #forget}. */
  void register(Exchange exchange) {
    exchanges.put(exchange.id, exchange);
  }

  void forget(long exchangeId) {
    exchanges.remove(exchangeId);
  }

  PartitionRepairStats statsOf(int partition) {
    return stats.computeIfAbsent(partition, x -> new PartitionRepairStats());
  }

  StorageExecutor storage() {
    return storage;
  }

  LocalReplica replica() {
    return replica;
  }

  Clock clock() {
    return clock;
  }

  RateLimitedLog peerLog() {
    return peerLog;
  }

  AntiEntropySettings settings() {
    return settings;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  PartitionTrees trees() {
    return trees;
  }

}

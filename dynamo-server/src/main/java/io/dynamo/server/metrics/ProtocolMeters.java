package io.dynamo.server.metrics;

import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.monitor.PeerView;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.transfer.TransferProgress;
import io.dynamo.core.transfer.TransferService;
import io.dynamo.core.transfer.TransferState;
import io.dynamo.proto.v1.PartitionRepairStatus;
import io.dynamo.proto.v1.RepairStatusResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meters read from shard 0's services (failure detector, anti-entropy, transfers, gossip) and
 * from the hints on disk: each {@link #refresh} takes a {@link ProtocolSnapshot} on shard 0's
 * thread, waiting at most {@link #WAIT}, and sets the meters from it. A shard too busy to answer in
 * time leaves the last values in place; a scrape is never held longer than that.
 */
final class ProtocolMeters {
  private static final Logger log = LoggerFactory.getLogger(ProtocolMeters.class);
  static final Duration WAIT = Duration.ofSeconds(5);

  private final SnapshotMeters meters;
  private final Executor protocolThread;
  private final Supplier<ProtocolSnapshot> snapshot;
  private final LocalReplica replica;
  private final LongSupplier wallClock;

  /**
   * @param snapshot takes the snapshot; run on {@code protocolThread} only
   * @param replica whose hint queues are read (a storage scan, off the protocol thread)
   */
  ProtocolMeters(
      MeterRegistry registry,
      Executor protocolThread,
      Supplier<ProtocolSnapshot> snapshot,
      LocalReplica replica,
      LongSupplier wallClock) {
    this.meters = new SnapshotMeters(registry);
    this.protocolThread = protocolThread;
    this.snapshot = snapshot;
    this.replica = replica;
    this.wallClock = wallClock;
  }

  /** Takes a snapshot and sets the meters; false (values unchanged) if shard 0 did not answer. */
  synchronized boolean refresh() {
    CompletableFuture<ProtocolSnapshot> taken = new CompletableFuture<>();
    try {
      protocolThread.execute(
          () -> {
            try {
              taken.complete(snapshot.get());
            } catch (RuntimeException e) {
              taken.completeExceptionally(e);
            }
          });
      ProtocolSnapshot s = taken.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      Map<NodeId, LocalReplica.HintQueueStats> hints = replica.hintQueues();
      set(s, hints);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      log.warn("metrics: shard 0 state not read, keeping the last values: {}", e.toString());
      return false;
    }
  }

  private void set(ProtocolSnapshot s, Map<NodeId, LocalReplica.HintQueueStats> hints) {
    long now = wallClock.getAsLong();
    for (PeerView p : s.peers()) {
      Tags peer = Tags.of("peer", p.peer().value());
      meters.gauge("dynamo.peer.up", "1 if this node's failure detector believes the peer is up",
          peer, p.up() ? 1 : 0);
      meters.gauge("dynamo.peer.phi", "phi-accrual suspicion of the peer", peer, p.phi());
      meters.counter("dynamo.peer.state.changes",
          "times the peer was seen to go down or come back up", peer, p.transitions());
    }
    // Every peer has a series (0 when none is held), and so does any other node hints are held for.
    Set<NodeId> targets = new TreeSet<>(hints.keySet());
    s.peers().forEach(p -> targets.add(p.peer()));
    for (NodeId target : targets) {
      LocalReplica.HintQueueStats q = hints.get(target);
      Tags tags = Tags.of("target", target.value());
      meters.gauge("dynamo.hints.pending", "hints this node holds for the target node", tags,
          q == null ? 0 : q.count());
      meters.gauge("dynamo.hints.oldest.age.seconds", "age of the oldest hint held for the target",
          tags, q == null ? 0 : Math.max(0, now - q.oldestCreatedAtMillis()) / 1000.0);
    }
    if (s.repair() != null) {
      antiEntropy(s.repair());
    }
    transfers(s.transfers(), s);
    Map<MemberStatus, Integer> byStatus = new EnumMap<>(MemberStatus.class);
    for (MemberStatus m : MemberStatus.values()) {
      byStatus.put(m, 0);
    }
    for (NodeId id : s.cluster().members(status -> true)) {
      byStatus.merge(s.cluster().status(id), 1, Integer::sum);
    }
    byStatus.forEach(
        (status, n) ->
            meters.gauge("dynamo.members", "cluster members by status, as gossip brought them here",
                Tags.of("status", lower(status)), n));
    meters.endRefresh();
  }

  private void antiEntropy(RepairStatusResponse repair) {
    Tags none = Tags.empty();
    meters.gauge("dynamo.ae.pending.repairs", "on-demand exchanges queued or running", none,
        repair.getPending());
    meters.gauge("dynamo.ae.exchanges.running", "exchanges running now", none,
        repair.getExchangesRunning());
    meters.counter("dynamo.ae.answer.bytes", "bytes sent answering other owners' exchanges", none,
        repair.getAnswerBytesSent());
    meters.counter("dynamo.ae.trees.found.wrong",
        "hash trees found not matching their partition's data, and rebuilt", none,
        repair.getTreesFoundWrong());
    meters.counter("dynamo.ae.keys.removed.not.owned",
        "keys of partitions this node does not own, deleted once every owner held them", none,
        repair.getKeysRemovedNotOwned());
    meters.gauge("dynamo.ae.partitions.held.not.owned",
        "partitions this node holds data of without owning them, to hand over and remove", none,
        repair.getPartitionsHeldNotOwned());
    for (PartitionRepairStatus p : repair.getPartitionsList()) {
      if (!p.getOwned()) {
        continue;
      }
      Tags partition = Tags.of("partition", Integer.toUnsignedString(p.getPartition()));
      meters.gauge("dynamo.ae.seconds.since.full.exchange",
          "seconds since the partition was last exchanged with every other owner (-1: never)",
          partition,
          p.getMillisSinceFullExchange() < 0 ? -1 : p.getMillisSinceFullExchange() / 1000.0);
      meters.counter("dynamo.ae.exchanges", "exchanges of the partition this node started",
          partition, p.getExchanges());
      meters.counter("dynamo.ae.keys.compared", "keys whose digests exchanges compared", partition,
          p.getKeysCompared());
      meters.counter("dynamo.ae.keys.repaired", "keys found different and sent or fetched",
          partition, p.getKeysRepaired());
      meters.counter("dynamo.ae.bytes.sent", "bytes this node's exchanges sent", partition,
          p.getBytesSent());
      meters.counter("dynamo.ae.tree.rebuilds", "times the partition's hash tree was built",
          partition, p.getTreeRebuilds());
      meters.gauge("dynamo.ae.tree.ready", "1 when the partition's hash tree is built", partition,
          p.getTreeReady() ? 1 : 0);
      meters.counter("dynamo.ae.tombstones.purged", "tombstones of the partition purged here",
          partition, p.getTombstonesPurged());
    }
  }

  private void transfers(TransferService.Stats t, ProtocolSnapshot s) {
    Tags none = Tags.empty();
    meters.gauge("dynamo.transfers.outgoing", "partition transfers this node is serving now", none,
        t.outgoingOpen());
    meters.counter("dynamo.transfers.chunks.applied", "chunks of incoming transfers applied", none,
        t.chunksApplied());
    meters.counter("dynamo.transfers.chunks.sent", "chunks sent to other nodes' transfers", none,
        t.chunksSent());
    meters.counter("dynamo.transfers.bytes.sent", "bytes sent to other nodes' transfers", none,
        t.bytesSent());
    meters.counter("dynamo.transfers.retries", "transfer requests sent again after a timeout",
        none, t.retries());
    meters.counter("dynamo.transfers.corrupt.chunks", "chunks that failed their checksum", none,
        t.corruptChunks());
    Map<TransferState, Integer> byState = new EnumMap<>(TransferState.class);
    for (TransferState state : TransferState.values()) {
      byState.put(state, 0);
    }
    long keysDone = 0;
    long bytesDone = 0;
    long estimated = 0;
    for (TransferProgress p : s.incoming()) {
      byState.merge(p.state(), 1, Integer::sum);
      keysDone += p.keysDone();
      bytesDone += p.bytesDone();
      estimated += p.estimatedBytes();
    }
    byState.forEach(
        (state, n) ->
            meters.gauge("dynamo.transfers.incoming", "incoming partition transfers by state",
                Tags.of("state", lower(state)), n));
    meters.gauge("dynamo.transfers.incoming.keys.done",
        "records applied by the incoming transfers this node knows of", none, keysDone);
    meters.gauge("dynamo.transfers.incoming.bytes.done",
        "bytes applied by the incoming transfers this node knows of", none, bytesDone);
    meters.gauge("dynamo.transfers.incoming.estimated.bytes",
        "their sources' estimates of the partitions' sizes (0 while unknown)", none, estimated);
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}

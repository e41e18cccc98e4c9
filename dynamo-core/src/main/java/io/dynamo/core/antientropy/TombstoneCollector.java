package io.dynamo.core.antientropy;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.view.ClusterView;
import io.dynamo.proto.v1.Envelope;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tombstone collection (docs/anti-entropy.md): the partition's first owner, with every member up,
 * reads its tombstones past the grace period, polls every member whether it may still hold an older
 * version elsewhere and the owners' digests, and has the owners delete each agreed tombstone still
 * unchanged. Protocol thread only; part of {@link AntiEntropyService}.
 */
public final class TombstoneCollector {
  private static final Logger log = LoggerFactory.getLogger(TombstoneCollector.class);

  private final AntiEntropyService service;
  private final PartitionRoles roles;
  /** Tombstones this node purged. */
  private long tombstonesPurged;

  TombstoneCollector(AntiEntropyService service, PartitionRoles roles) {
    this.service = service;
    this.roles = roles;
  }

  long purged() {
    return tombstonesPurged;
  }

  /** A collection round this node (the partition's first owner) runs. */
  private final class GcRound {
    final long id;
    final int partition;
    final List<byte[]> keys;
    final long[] digests;
    final Set<NodeId> waiting;
    final boolean[] excluded;
    Scheduler.Cancellable timer;

    GcRound(long id, int partition, Map<ByteBuffer, Long> candidates, Set<NodeId> members) {
      this.id = id;
      this.partition = partition;
      this.keys = new ArrayList<>();
      this.digests = new long[candidates.size()];
      int i = 0;
      for (Map.Entry<ByteBuffer, Long> e : candidates.entrySet()) {
        keys.add(e.getKey().array());
        digests[i++] = e.getValue();
      }
      this.waiting = new java.util.HashSet<>(members);
      this.excluded = new boolean[keys.size()];
    }
  }

  private GcRound gcRound;
  private boolean gcScanning;
  private int gcCursor;

  /**
   * Starts a collection round for the next partition this node is the first owner of: when every
   * member is up and the partition is not under a move, it reads the partition's tombstones past
   * the grace period (every version a tombstone, every dot older) and polls every other member.
   */
  void collect(ClusterView view) {
    if (gcRound != null || gcScanning || !view.isMember(roles.self())) {
      return;
    }
    List<Integer> first = new ArrayList<>();
    for (int p = 0; p < view.ring().partitions(); p++) {
      if (roles.firstOwner(view, p, roles.self()) && !PartitionRoles.movingIn(view, p)) {
        first.add(p);
      }
    }
    Set<NodeId> members = new java.util.LinkedHashSet<>(view.members());
    members.remove(roles.self());
    if (first.isEmpty() || !members.stream().allMatch(service::isUp)) {
      return;
    }
    gcCursor = (gcCursor + 1) % first.size();
    int p = first.get(gcCursor);
    long cutoff = service.clock().currentTimeMillis() - service.settings().tombstoneGraceMillis();
    gcScanning = true;
    service.storage().execute(() -> gcCandidates(p, cutoff), (candidates, error) -> {
      gcScanning = false;
      if (error != null) {
        log.warn("looking for tombstones to collect in partition {} failed: {}", p, error.toString());
        return;
      }
      ClusterView now = service.view();
      if (candidates.isEmpty() || service.closed() || PartitionRoles.movingIn(now, p)
          || !roles.firstOwner(now, p, roles.self())) {
        return;
      }
      GcRound round = new GcRound(service.nextExchangeId(), p, candidates, members);
      gcRound = round;
      if (members.isEmpty()) {
        purge(round);
        return;
      }
      round.timer = service.scheduler().schedule(service.settings().stepTimeoutMillis(), () -> endGcRound(round, "timed out"));
      io.dynamo.proto.v1.AeGcPoll.Builder poll = io.dynamo.proto.v1.AeGcPoll.newBuilder()
          .setExchangeId(round.id).setPartition(p);
      for (byte[] k : round.keys) {
        poll.addKeys(ByteString.copyFrom(k));
      }
      Envelope message = Envelope.newBuilder().setAeGcPoll(poll).build();
      for (NodeId m : members) {
        service.sendToPeer(m, message);
      }
    });
  }

  /**
   * Storage thread: the partition's collectable tombstones and their digests; none when this node
   * holds a hint of a key in the partition (it may carry an older version).
   */
  private Map<ByteBuffer, Long> gcCandidates(int partition, long cutoff) {
    Map<ByteBuffer, Long> out = new LinkedHashMap<>();
    if (service.replica().holdsHintsFor(partition)) {
      return out;
    }
    service.replica().engine().scan(
        Keyspace.DATA, DataKey.partitionStart(partition), DataKey.partitionStart(partition + 1),
        (k, v) -> {
          if (collectable(v, cutoff)) {
            out.put(ByteBuffer.wrap(k), KeyHashes.contribution(k, v));
          }
          return out.size() < AntiEntropySettings.MAX_GC_KEYS;
        });
    return out;
  }

  /** Whether {@code record} holds only tombstones, every one of whose dots is before {@code cutoff}. */
  public static boolean collectable(byte[] record, long cutoff) {
    io.dynamo.core.version.SiblingSet set;
    try {
      set = io.dynamo.core.version.VersionCodec.decodeSiblings(record);
    } catch (MalformedVersionException e) {
      return false;
    }
    if (set.versions().isEmpty()) {
      return false;
    }
    for (io.dynamo.core.version.Versioned v : set.versions()) {
      if (!v.tombstone()) {
        return false;
      }
      for (io.dynamo.core.version.Dot d : v.dots()) {
        if (d.timestampMillis() >= cutoff) {
          return false;
        }
      }
    }
    return true;
  }

  /** A member answers whether it may hold older data of the partition, and an owner its digests. */
  void answerPoll(NodeId from, io.dynamo.proto.v1.AeGcPoll r) {
    int p = r.getPartition();
    ClusterView view = service.view();
    io.dynamo.proto.v1.AeGcPollResponse.Builder out = io.dynamo.proto.v1.AeGcPollResponse
        .newBuilder().setExchangeId(r.getExchangeId()).setPartition(p);
    if (p >= view.ring().partitions() || !roles.firstOwner(view, p, from)
        || r.getKeysCount() > AntiEntropySettings.MAX_GC_KEYS || PartitionRoles.movingIn(view, p)) {
      service.sendAnswer(from, Envelope.newBuilder().setAeGcPollResponse(out.setClean(false)));
      return;
    }
    List<byte[]> keys = new ArrayList<>();
    for (ByteString k : r.getKeysList()) {
      byte[] key = k.toByteArray();
      if (!PartitionRoles.inPartition(key, p)) {
        service.peerLog().warn("ae-bad-gc", "{} polled a key outside partition {}", from, p);
        service.sendAnswer(from, Envelope.newBuilder().setAeGcPollResponse(out.setClean(false)));
        return;
      }
      keys.add(key);
    }
    boolean owner = roles.holders(view, p).contains(roles.self());
    service.storage().execute(() -> {
      if (service.replica().holdsHintsFor(p)) {
        return null;
      }
      if (!owner) {
        return service.replica().holdsDataOf(p) ? null : new long[0];
      }
      long[] digests = new long[keys.size()];
      for (int i = 0; i < digests.length; i++) {
        digests[i] = KeyHashes.contribution(keys.get(i), service.replica().engine().get(Keyspace.DATA, keys.get(i)));
      }
      return digests;
    }, (digests, error) -> {
      boolean clean = error == null && digests != null && !PartitionRoles.movingIn(service.view(), p);
      out.setClean(clean);
      if (clean) {
        for (long d : digests) {
          out.addDigests(d);
        }
      }
      service.sendAnswer(from, Envelope.newBuilder().setAeGcPollResponse(out));
    });
  }

  void onPollResponse(NodeId from, io.dynamo.proto.v1.AeGcPollResponse r) {
    GcRound round = gcRound;
    if (round == null || round.id != r.getExchangeId() || !round.waiting.remove(from)) {
      return;
    }
    if (!r.getClean()) {
      endGcRound(round, from + " may hold older data");
      return;
    }
    ClusterView view = service.view();
    if (roles.holders(view, round.partition).contains(from)) {
      if (r.getDigestsCount() != round.keys.size()) {
        endGcRound(round, from + " sent " + r.getDigestsCount() + " digests");
        return;
      }
      for (int i = 0; i < round.keys.size(); i++) {
        if (r.getDigests(i) != round.digests[i]) {
          round.excluded[i] = true; // that owner does not hold exactly this tombstone (yet)
        }
      }
    }
    if (round.waiting.isEmpty()) {
      purge(round);
    }
  }

  /** Every member answered clean: the owners delete each agreed tombstone still unchanged. */
  private void purge(GcRound round) {
    ClusterView view = service.view();
    int p = round.partition;
    if (PartitionRoles.movingIn(view, p) || !roles.firstOwner(view, p, roles.self())) {
      endGcRound(round, "the partition changed hands");
      return;
    }
    io.dynamo.proto.v1.AeGcPurge.Builder purge =
        io.dynamo.proto.v1.AeGcPurge.newBuilder().setExchangeId(round.id).setPartition(p);
    List<byte[]> keys = new ArrayList<>();
    List<Long> digests = new ArrayList<>();
    for (int i = 0; i < round.keys.size(); i++) {
      if (!round.excluded[i]) {
        keys.add(round.keys.get(i));
        digests.add(round.digests[i]);
        purge.addKeys(ByteString.copyFrom(round.keys.get(i))).addDigests(round.digests[i]);
      }
    }
    if (keys.isEmpty()) {
      endGcRound(round, "no owner agreement yet");
      return;
    }
    Envelope message = Envelope.newBuilder().setAeGcPurge(purge).build();
    for (NodeId owner : roles.holders(view, p)) {
      if (!owner.equals(roles.self())) {
        service.sendToPeer(owner, message);
      }
    }
    purgeLocally(p, keys, digests);
    endGcRound(round, null);
  }

  private void endGcRound(GcRound round, String why) {
    if (gcRound != round) {
      return;
    }
    if (round.timer != null) {
      round.timer.cancel();
    }
    gcRound = null;
    if (why != null) {
      log.debug("tombstone collection in partition {} stopped: {}", round.partition, why);
    }
  }

  /** The first owner's purge: delete each key whose record still has the agreed digest. */
  void onPurge(NodeId from, io.dynamo.proto.v1.AeGcPurge r) {
    int p = r.getPartition();
    ClusterView view = service.view();
    if (p >= view.ring().partitions() || !roles.firstOwner(view, p, from)
        || !roles.holders(view, p).contains(roles.self()) || PartitionRoles.movingIn(view, p)
        || r.getKeysCount() != r.getDigestsCount()
        || r.getKeysCount() > AntiEntropySettings.MAX_GC_KEYS) {
      service.peerLog().warn("ae-refused-purge", "refusing a purge of partition {} from {}", p, from);
      return;
    }
    List<byte[]> keys = new ArrayList<>();
    for (ByteString k : r.getKeysList()) {
      byte[] key = k.toByteArray();
      if (!PartitionRoles.inPartition(key, p)) {
        service.peerLog().warn("ae-bad-purge", "{} asked to purge a key outside partition {}", from, p);
        return;
      }
      keys.add(key);
    }
    purgeLocally(p, keys, r.getDigestsList());
  }

  private void purgeLocally(int p, List<byte[]> keys, List<Long> digests) {
    long cutoff = service.clock().currentTimeMillis() - service.settings().tombstoneGraceMillis();
    service.storage().execute(() -> {
      int purged = 0;
      for (int i = 0; i < keys.size(); i++) {
        byte[] k = keys.get(i);
        long digest = digests.get(i);
        // Still exactly the tombstone every owner agreed on, and past this node's grace too.
        if (service.replica().deleteIf(k, rec -> KeyHashes.contribution(k, rec) == digest
            && collectable(rec, cutoff))) {
          purged++;
        }
      }
      return purged;
    }, (purged, error) -> {
      if (error != null) {
        log.warn("purging tombstones of partition {} failed: {}", p, error.toString());
        return;
      }
      if (purged > 0) {
        service.statsOf(p).tombstonesPurged += purged;
        tombstonesPurged += purged;
        log.debug("purged {} tombstones of partition {}", purged, p);
      }
    });
  }

  // ---- trees ----
}

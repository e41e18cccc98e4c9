package io.dynamo.core.antientropy;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.view.ClusterView;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies of partitions a node holds without owning them (a substitute's writes, an old owner's copy
 * after a move): found now and then, handed to the partition's replica holders with push-only
 * exchanges once held for the cleanup grace, then deleted key by key if unchanged
 * (docs/anti-entropy.md). Protocol thread only; part of {@link AntiEntropyService}.
 */
final class CopyHandover {
  private static final Logger log = LoggerFactory.getLogger(CopyHandover.class);
  /** Keys read per round; the rest of a large copy goes in later rounds. */
  private static final int MAX_KEYS = 100_000;

  private final AntiEntropyService service;
  private final PartitionRoles roles;
  /** Partitions this node holds data of without owning them, and when each was first seen. */
  private final Map<Integer, Long> copiesNotOwned = new TreeMap<>();
  private boolean scanningCopies;
  private long lastCopyScan = Long.MIN_VALUE;
  /** The partition whose copy is being handed to its owners, or null. */
  private Integer cleaning;
  /** Keys of partitions not owned deleted once their owners held them. */
  private long copiesRemoved;

  CopyHandover(AntiEntropyService service, PartitionRoles roles) {
    this.service = service;
    this.roles = roles;
  }

  long keysRemoved() {
    return copiesRemoved;
  }

  int partitionsHeld() {
    return copiesNotOwned.size();
  }

  /**
   * Looks, now and then, for partitions this node holds data of without owning them: a substitute's
   * writes, an old owner's copy after a move. Each is remembered with when it was first seen.
   */
  void scan(ClusterView view, long now) {
    long every = Math.max(1_000, service.settings().sweepMillis() / 4);
    if (scanningCopies || (lastCopyScan != Long.MIN_VALUE && now - lastCopyScan < every)
        || !view.isMember(roles.self())) {
      return;
    }
    scanningCopies = true;
    lastCopyScan = now;
    List<Integer> candidates = new ArrayList<>();
    for (int p = 0; p < view.ring().partitions(); p++) {
      if (!roles.holders(view, p).contains(roles.self()) && !view.extraWriters(p).contains(roles.self())) {
        candidates.add(p);
      }
    }
    service.storage().execute(() -> {
      List<Integer> held = new ArrayList<>();
      for (int p : candidates) {
        if (service.replica().holdsDataOf(p)) {
          held.add(p);
        }
      }
      return held;
    }, (held, error) -> {
      scanningCopies = false;
      if (error != null) {
        log.warn("looking for copies of partitions not owned failed: {}", error.toString());
        return;
      }
      long seen = service.clock().monotonicMillis();
      copiesNotOwned.keySet().retainAll(held);
      for (int p : held) {
        copiesNotOwned.putIfAbsent(p, seen);
      }
    });
  }

  /**
   * Hands one copy this node does not own, held for at least the cleanup grace, to the partition's
   * owners (push-only exchanges with each, all owners up) and then deletes every key of it whose
   * record has not changed since it was read. A write that lands meanwhile keeps its key (and is
   * handed over next time).
   */
  void clean(ClusterView view, long now) {
    if (cleaning != null) {
      return;
    }
    for (Map.Entry<Integer, Long> e : copiesNotOwned.entrySet()) {
      int p = e.getKey();
      List<NodeId> owners = roles.holders(view, p);
      if (now - e.getValue() < service.settings().cleanupGraceMillis() || owners.isEmpty()
          || owners.contains(roles.self()) || PartitionRoles.movingIn(view, p) || !owners.stream().allMatch(service::isUp)) {
        continue;
      }
      cleaning = p;
      service.storage().execute(() -> {
        Map<ByteBuffer, Long> keys = new LinkedHashMap<>();
        service.replica().engine().scan(
            Keyspace.DATA, DataKey.partitionStart(p), DataKey.partitionStart(p + 1),
            (k, v) -> {
              keys.put(ByteBuffer.wrap(k), KeyHashes.contribution(k, v));
              return keys.size() < MAX_KEYS;
            });
        return keys;
      }, (keys, error) -> {
        if (error != null || keys.isEmpty()) {
          cleaning = null;
          return;
        }
        java.util.TreeSet<Integer> segments = new java.util.TreeSet<>();
        for (ByteBuffer k : keys.keySet()) {
          segments.add(KeyHashes.segmentOf(k.array()));
        }
        List<List<Integer>> chunks = new ArrayList<>();
        List<Integer> all = new ArrayList<>(segments);
        for (int i = 0; i < all.size(); i += AntiEntropySettings.MAX_SEGMENTS_PER_REQUEST) {
          chunks.add(all.subList(i, Math.min(all.size(), i + AntiEntropySettings.MAX_SEGMENTS_PER_REQUEST)));
        }
        handOver(p, owners, chunks, 0, 0, keys);
      });
      return;
    }
  }

  /** Push-only exchanges of chunk {@code chunk} with owner {@code owner}, then the next. */
  private void handOver(
      int p, List<NodeId> owners, List<List<Integer>> chunks, int chunk, int owner,
      Map<ByteBuffer, Long> keys) {
    if (service.closed()) {
      return;
    }
    if (chunk == chunks.size()) {
      deleteHandedOver(p, keys);
      return;
    }
    if (owner == owners.size()) {
      handOver(p, owners, chunks, chunk + 1, 0, keys);
      return;
    }
    NodeId to = owners.get(owner);
    ClusterView view = service.view();
    if (!service.isUp(to) || !roles.holders(view, p).contains(to) || PartitionRoles.movingIn(view, p)
        || roles.holders(view, p).contains(roles.self())) {
      cleaning = null;
      return;
    }
    long id = service.nextExchangeId();
    Exchange exchange = new Exchange(service, id, p, to, result -> {
      service.forget(id);
      PartitionRepairStats s = service.statsOf(p);
      s.bytesSent += result.bytesSent();
      s.keysRepaired += result.keysRepaired();
      if (!result.completed()) {
        log.debug("handing partition {} to {} did not complete: {}", p, to, result.detail());
        cleaning = null;
        return;
      }
      int nextOwner = result.more() ? owner : owner + 1;
      service.scheduler().schedule(0, () -> handOver(p, owners, chunks, chunk, nextOwner, keys));
    });
    service.register(exchange);
    exchange.startPushOnly(chunks.get(chunk));
  }

  /** Every owner holds what was read: delete each key whose record is still what was read. */
  private void deleteHandedOver(int p, Map<ByteBuffer, Long> keys) {
    service.storage().execute(() -> {
      int deleted = 0;
      for (Map.Entry<ByteBuffer, Long> e : keys.entrySet()) {
        byte[] k = e.getKey().array();
        long digest = e.getValue();
        if (service.replica().deleteIf(k, record -> KeyHashes.contribution(k, record) == digest)) {
          deleted++;
        }
      }
      return deleted;
    }, (deleted, error) -> {
      cleaning = null;
      if (error != null) {
        log.warn("removing the copy of partition {} failed: {}", p, error.toString());
        return;
      }
      copiesRemoved += deleted;
      log.info("removed {} keys of partition {}, which this node does not own, once its owners"
          + " held them", deleted, p);
      if (deleted == keys.size() && keys.size() < MAX_KEYS) {
        copiesNotOwned.remove(p);
      }
    });
  }
}

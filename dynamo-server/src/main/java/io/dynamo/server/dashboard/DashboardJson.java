package io.dynamo.server.dashboard;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.LocalReplica.HintQueueStats;
import io.dynamo.proto.v1.MemberLoad;
import io.dynamo.proto.v1.MemberStatus;
import io.dynamo.proto.v1.PartitionOwners;
import io.dynamo.proto.v1.PartitionRepairStatus;
import io.dynamo.proto.v1.PlannedMove;
import io.dynamo.proto.v1.RepairStatusResponse;
import io.dynamo.proto.v1.RingResponse;
import io.dynamo.proto.v1.StatusResponse;
import io.dynamo.proto.v1.TransferProgress;
import io.dynamo.proto.v1.TransfersResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The dashboard's JSON (docs/dashboard.md lists the fields), written from the answers this node
 * gives its operators' status, ring, transfers and repair-status requests, its hint queues and its
 * request history. Pure: the caller gathers the inputs.
 */
final class DashboardJson {
  private DashboardJson() {}

  /** Everything one answer is made of; {@code ring}, {@code transfers} and {@code repair} may be null. */
  record Inputs(
      StatusResponse status,
      RingResponse ring,
      TransfersResponse transfers,
      RepairStatusResponse repair,
      Map<NodeId, HintQueueStats> hints,
      List<RequestHistory.Sample> requests,
      long intervalSeconds,
      long nowMillis) {}

  static String write(Inputs in) {
    JsonWriter w = new JsonWriter().beginObject();
    StatusResponse s = in.status();
    w.field("node", s.getNodeId())
        .field("version", s.getVersion())
        .field("generatedAtMillis", in.nowMillis())
        .field("uptimeMillis", s.getUptimeMillis())
        .field("storageFailures", s.getStorageFailures())
        .field("lastStorageError", s.getLastStorageError());
    w.name("defaults").beginObject()
        .field("n", s.getDefaultN()).field("r", s.getDefaultR()).field("w", s.getDefaultW())
        .endObject();
    members(w, s, in.ring(), in.hints(), in.nowMillis());
    ring(w, s, in.ring());
    hints(w, in.hints(), in.nowMillis());
    transfers(w, in.transfers());
    antiEntropy(w, in.repair());
    requests(w, in.requests(), in.intervalSeconds());
    return w.endObject().toString();
  }

  private static void members(
      JsonWriter w, StatusResponse s, RingResponse ring, Map<NodeId, HintQueueStats> hints, long now) {
    Map<String, Double> shares = new HashMap<>();
    if (ring != null) {
      for (MemberLoad m : ring.getMembersList()) {
        shares.put(m.getNodeId(), m.getShareOfFair());
      }
    }
    Map<String, HintQueueStats> hintsById = new HashMap<>();
    hints.forEach((id, q) -> hintsById.put(id.value(), q));
    w.name("members").beginArray();
    for (MemberStatus m : s.getMembersList()) {
      HintQueueStats q = hintsById.get(m.getNodeId());
      w.beginObject()
          .field("id", m.getNodeId())
          .field("self", m.getNodeId().equals(s.getNodeId()))
          .field("up", m.getUp())
          .field("phi", m.getPhi())
          .field("state", m.getState())
          .field("capacity", m.getCapacity())
          .field("zone", m.getZone())
          .field("partitionsOwned", m.getPartitionsOwned())
          .field("copies", m.getCopies())
          .field("shareOfFair", shares.getOrDefault(m.getNodeId(), Double.NaN))
          .field("clientAddress", m.getClientAddress())
          .field("peerAddress", m.getPeerAddress())
          .field("hintsPending", q == null ? 0 : q.count())
          .field("hintsOldestAgeSeconds", q == null ? 0 : ageSeconds(q, now))
          .endObject();
    }
    w.endArray();
  }

  private static void ring(JsonWriter w, StatusResponse s, RingResponse ring) {
    w.name("ring").beginObject();
    if (ring == null) {
      w.field("partitions", s.getPartitions()).field("available", false);
      w.name("owners").beginArray().endArray();
      w.name("pending").beginArray().endArray();
      w.name("pendingMoves").beginArray().endArray();
      w.endObject();
      return;
    }
    w.field("available", true)
        .field("version", ring.getRingVersion())
        .field("claimant", ring.getClaimant())
        .field("replicas", ring.getReplicas())
        .field("partitions", ring.getPartitionsCount() == 0 ? s.getPartitions() : ring.getPartitionsCount());
    // Indexed by partition: the owners in preference order, and the nodes taking a copy.
    w.name("owners").beginArray();
    for (PartitionOwners p : ring.getPartitionsList()) {
      strings(w, p.getOwnersList());
    }
    w.endArray();
    w.name("pending").beginArray();
    for (PartitionOwners p : ring.getPartitionsList()) {
      strings(w, p.getPendingList());
    }
    w.endArray();
    w.name("pendingMoves").beginArray();
    for (PlannedMove m : ring.getPendingMovesList()) {
      w.beginObject()
          .field("partition", m.getPartition()).field("from", m.getFrom()).field("to", m.getTo())
          .endObject();
    }
    w.endArray();
    w.endObject();
  }

  private static void hints(JsonWriter w, Map<NodeId, HintQueueStats> hints, long now) {
    w.name("hints").beginArray();
    hints.forEach((target, q) -> w.beginObject()
        .field("target", target.value())
        .field("count", q.count())
        .field("oldestAgeSeconds", ageSeconds(q, now))
        .endObject());
    w.endArray();
  }

  private static void transfers(JsonWriter w, TransfersResponse transfers) {
    w.name("transfers").beginArray();
    if (transfers != null) {
      for (TransferProgress t : transfers.getTransfersList()) {
        w.beginObject()
            .field("partition", t.getPartition())
            .field("from", t.getFrom())
            .field("to", t.getTo())
            .field("state", t.getState())
            .field("bytesDone", t.getBytesDone())
            .field("bytesTotal", t.getBytesTotal())
            .field("keysDone", t.getKeysDone())
            .field("bytesPerSecond", t.getBytesPerSecond())
            .field("error", t.getError())
            .endObject();
      }
    }
    w.endArray();
  }

  /** Totals over the partitions this node owns, as in docs/anti-entropy.md's status. */
  private static void antiEntropy(JsonWriter w, RepairStatusResponse repair) {
    w.name("antiEntropy");
    if (repair == null) {
      w.nullValue();
      return;
    }
    long owned = 0;
    long treesReady = 0;
    long exchanged = 0;
    long differing = 0;
    long pending = 0;
    long oldestMillis = -1;
    long exchanges = 0;
    long keysCompared = 0;
    long keysRepaired = 0;
    long bytesSent = 0;
    long tombstonesPurged = 0;
    for (PartitionRepairStatus p : repair.getPartitionsList()) {
      if (!p.getOwned()) {
        continue;
      }
      owned++;
      treesReady += p.getTreeReady() ? 1 : 0;
      pending += p.getPending() ? 1 : 0;
      differing += p.getKeysRepaired() > 0 ? 1 : 0;
      if (p.getMillisSinceFullExchange() >= 0) {
        exchanged++;
        oldestMillis = Math.max(oldestMillis, p.getMillisSinceFullExchange());
      }
      exchanges += p.getExchanges();
      keysCompared += p.getKeysCompared();
      keysRepaired += p.getKeysRepaired();
      bytesSent += p.getBytesSent();
      tombstonesPurged += p.getTombstonesPurged();
    }
    w.beginObject()
        .field("ownedPartitions", owned)
        .field("treesReady", treesReady)
        .field("partitionsExchanged", exchanged)
        .field("partitionsNeverExchanged", owned - exchanged)
        .field("partitionsFoundDiffering", differing)
        .field("partitionsPending", pending)
        .field("oldestFullExchangeSeconds", oldestMillis < 0 ? Double.NaN : oldestMillis / 1000.0)
        .field("exchanges", exchanges)
        .field("exchangesRunning", repair.getExchangesRunning())
        .field("pendingRepairs", repair.getPending())
        .field("keysCompared", keysCompared)
        .field("keysRepaired", keysRepaired)
        .field("bytesSent", bytesSent)
        .field("answerBytesSent", repair.getAnswerBytesSent())
        .field("tombstonesPurged", tombstonesPurged)
        .field("treesFoundWrong", repair.getTreesFoundWrong())
        .field("partitionsHeldNotOwned", repair.getPartitionsHeldNotOwned())
        .field("keysRemovedNotOwned", repair.getKeysRemovedNotOwned())
        .endObject();
  }

  private static void requests(JsonWriter w, List<RequestHistory.Sample> samples, long intervalSeconds) {
    TreeSet<String> ops = new TreeSet<>(List.of("get", "put", "delete"));
    for (RequestHistory.Sample s : samples) {
      ops.addAll(s.ops().keySet());
    }
    w.name("requests").beginObject().field("intervalSeconds", intervalSeconds);
    w.name("ops");
    strings(w, ops);
    w.name("samples").beginArray();
    for (RequestHistory.Sample s : samples) {
      w.beginObject().field("atMillis", s.atMillis()).name("ops").beginObject();
      s.ops().forEach((op, f) -> w.name(op).beginObject()
          .field("rate", f.rate())
          .field("errorRate", f.errorRate())
          .field("p50", f.p50())
          .field("p99", f.p99())
          .field("p999", f.p999())
          .endObject());
      w.endObject().endObject();
    }
    w.endArray().endObject();
  }

  private static void strings(JsonWriter w, Iterable<String> values) {
    w.beginArray();
    for (String v : values) {
      w.value(v);
    }
    w.endArray();
  }

  private static double ageSeconds(HintQueueStats q, long now) {
    return Math.max(0, now - q.oldestCreatedAtMillis()) / 1000.0;
  }
}

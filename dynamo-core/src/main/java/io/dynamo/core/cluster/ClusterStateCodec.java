package io.dynamo.core.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dynamo.core.cluster.NodeEntry.EntryVersion;
import io.dynamo.core.cluster.RingState.RingVersion;
import io.dynamo.core.log.Untrusted;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.proto.v1.BucketDefaultsProto;
import io.dynamo.proto.v1.ClusterStateProto;
import io.dynamo.proto.v1.ConflictModeProto;
import io.dynamo.proto.v1.GossipDigest;
import io.dynamo.proto.v1.MemberStatusEntry;
import io.dynamo.proto.v1.MemberStatusProto;
import io.dynamo.proto.v1.MovePhaseProto;
import io.dynamo.proto.v1.NodeDigestProto;
import io.dynamo.proto.v1.MoveProto;
import io.dynamo.proto.v1.NodeEntryProto;
import io.dynamo.proto.v1.PartitionOwnersProto;
import io.dynamo.proto.v1.PendingMoveProto;
import io.dynamo.proto.v1.RingDigestProto;
import io.dynamo.proto.v1.RingStateProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Protobuf forms of cluster states and digests. Decoding treats its input as untrusted: anything
 * that does not describe a valid state (unknown enum values, dangling indexes, duplicate entries,
 * sizes past the limits) is refused with a {@link MalformedClusterStateException}.
 */
public final class ClusterStateCodec {
  /** Largest encoded state accepted (a 1,048,576-partition table of 16 replicas fits). */
  public static final int MAX_ENCODED_BYTES = 64 << 20;

  private ClusterStateCodec() {}

  public static byte[] encode(ClusterState state) {
    return toProto(state).toByteArray();
  }

  public static ClusterState decode(byte[] bytes) {
    if (bytes.length > MAX_ENCODED_BYTES) {
      throw new MalformedClusterStateException(
          "cluster state of " + bytes.length + " bytes exceeds " + MAX_ENCODED_BYTES);
    }
    try {
      return fromProto(ClusterStateProto.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedClusterStateException("undecodable cluster state: " + e.getMessage(), e);
    }
  }

  public static ClusterStateProto toProto(ClusterState state) {
    ClusterStateProto.Builder b = ClusterStateProto.newBuilder();
    for (NodeEntry e : state.nodes().values()) {
      b.addNodes(NodeEntryProto.newBuilder()
          .setNodeId(e.id().value())
          .setPeerAddress(e.peerAddress())
          .setClientAddress(e.clientAddress())
          .setCapacity(e.capacity())
          .setZone(e.zone())
          .setGeneration(e.generation())
          .setVersion(e.version())
          .setRingApplied(e.ringApplied())
          .setAutoJoin(e.autoJoin())
          .addAllCopied(e.copied().stream()
              .map(m -> MoveProto.newBuilder().setPartition(m.partition())
                  .setFrom(m.from().value()).setTo(m.to().value()).build())
              .toList()));
    }
    if (!state.ring().isNone()) {
      b.setRing(ringToProto(state.ring()));
    }
    return b.build();
  }

  public static ClusterState fromProto(ClusterStateProto proto) {
    if (proto.getNodesCount() > RingState.MAX_MEMBERS) {
      throw new MalformedClusterStateException(
          "more than " + RingState.MAX_MEMBERS + " node entries: " + proto.getNodesCount());
    }
    try {
      List<NodeEntry> entries = new ArrayList<>(proto.getNodesCount());
      for (NodeEntryProto p : proto.getNodesList()) {
        if (p.getCopiedCount() > NodeEntry.MAX_COPIED) {
          throw new MalformedClusterStateException("too many copies listed: " + p.getCopiedCount());
        }
        List<PartitionMove> copied = new ArrayList<>(p.getCopiedCount());
        for (MoveProto m : p.getCopiedList()) {
          copied.add(new PartitionMove(m.getPartition(), NodeId.of(m.getFrom()), NodeId.of(m.getTo())));
        }
        entries.add(new NodeEntry(
            NodeId.of(p.getNodeId()), p.getPeerAddress(), p.getClientAddress(), p.getCapacity(),
            p.getZone(), p.getGeneration(), p.getVersion(), p.getRingApplied(), copied,
            p.getAutoJoin()));
      }
      RingState ring = proto.hasRing() ? ringFromProto(proto.getRing()) : RingState.NONE;
      return ClusterState.of(entries, ring);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new MalformedClusterStateException("invalid cluster state: " + e.getMessage(), e);
    }
  }

  /** The canonical form of a ring: the same ring always encodes to the same bytes. */
  public static RingStateProto ringToProto(RingState ring) {
    RingStateProto.Builder b = RingStateProto.newBuilder().setVersion(ring.version());
    if (ring.isNone()) {
      return b.build();
    }
    b.setClaimant(ring.claimant().value())
        .setPartitions(ring.partitions())
        .setReplicas(ring.replicas())
        .setBucketDefaults(BucketDefaultsProto.newBuilder()
            .setN(ring.defaults().n())
            .setR(ring.defaults().r())
            .setW(ring.defaults().w())
            .setConflictMode(ring.defaults().conflictMode() == ConflictMode.SIBLINGS
                ? ConflictModeProto.CONFLICT_MODE_SIBLINGS
                : ConflictModeProto.CONFLICT_MODE_LAST_WRITE_WINS));
    Map<NodeId, Integer> index = new HashMap<>();
    ring.statuses().forEach((id, status) -> {
      index.put(id, index.size());
      b.addMembers(MemberStatusEntry.newBuilder()
          .setNodeId(id.value())
          .setStatus(MemberStatusProto.forNumber(status.ordinal() + 1)));
    });
    if (ring.table() != null) {
      for (List<NodeId> owners : ring.table().allOwners()) {
        PartitionOwnersProto.Builder o = PartitionOwnersProto.newBuilder();
        for (NodeId owner : owners) {
          o.addOwners(index.get(owner));
        }
        b.addOwners(o);
      }
    }
    for (PendingMove m : ring.moves()) {
      b.addMoves(PendingMoveProto.newBuilder()
          .setPartition(m.move().partition())
          .setFrom(m.move().from().value())
          .setTo(m.move().to().value())
          .setPhase(MovePhaseProto.forNumber(m.phase().ordinal() + 1)));
    }
    return b.build();
  }

  static RingState ringFromProto(RingStateProto p) {
    if (p.getVersion() == 0) {
      return RingState.NONE; // the rest is ignored, as an empty ring has nothing else
    }
    if (p.getMembersCount() > RingState.MAX_MEMBERS) {
      throw new MalformedClusterStateException("more than " + RingState.MAX_MEMBERS + " members");
    }
    LinkedHashMap<NodeId, MemberStatus> statuses = new LinkedHashMap<>();
    List<NodeId> byIndex = new ArrayList<>(p.getMembersCount());
    for (MemberStatusEntry m : p.getMembersList()) {
      NodeId id = NodeId.of(m.getNodeId());
      int n = m.getStatusValue();
      if (n < 1 || n > MemberStatus.values().length) {
        throw new MalformedClusterStateException("unknown member status " + n + " of " + id);
      }
      if (statuses.put(id, MemberStatus.values()[n - 1]) != null) {
        throw new MalformedClusterStateException("member listed twice: " + id);
      }
      byIndex.add(id);
    }
    PartitionTable table = null;
    if (p.getOwnersCount() > 0) {
      if (p.getOwnersCount() != p.getPartitions()) {
        throw new MalformedClusterStateException(
            p.getOwnersCount() + " owner lists for " + p.getPartitions() + " partitions");
      }
      List<List<NodeId>> owners = new ArrayList<>(p.getOwnersCount());
      for (PartitionOwnersProto o : p.getOwnersList()) {
        if (o.getOwnersCount() > 16) {
          throw new MalformedClusterStateException("more than 16 owners of a partition");
        }
        List<NodeId> list = new ArrayList<>(o.getOwnersCount());
        for (int i : o.getOwnersList()) {
          if (i < 0 || i >= byIndex.size()) {
            throw new MalformedClusterStateException("owner index " + i + " is not a member");
          }
          list.add(byIndex.get(i));
        }
        owners.add(list);
      }
      table = new PartitionTable(p.getReplicas(), owners);
    }
    if (p.getMovesCount() > (long) Math.max(1, p.getPartitions()) * 16) {
      throw new MalformedClusterStateException("too many moves: " + p.getMovesCount());
    }
    List<PendingMove> moves = new ArrayList<>(p.getMovesCount());
    for (PendingMoveProto m : p.getMovesList()) {
      int phase = m.getPhaseValue();
      if (phase < 1 || phase > MovePhase.values().length) {
        throw new MalformedClusterStateException("unknown move phase " + phase);
      }
      moves.add(new PendingMove(
          new PartitionMove(m.getPartition(), NodeId.of(m.getFrom()), NodeId.of(m.getTo())),
          MovePhase.values()[phase - 1]));
    }
    BucketDefaultsProto d = p.getBucketDefaults();
    ConflictMode mode = switch (d.getConflictMode()) {
      case CONFLICT_MODE_SIBLINGS -> ConflictMode.SIBLINGS;
      case CONFLICT_MODE_LAST_WRITE_WINS -> ConflictMode.LAST_WRITE_WINS;
      default -> throw new MalformedClusterStateException(
          "unknown conflict mode " + d.getConflictModeValue());
    };
    if (p.getVersion() < 0 || p.getPartitions() < 0 || d.getN() < 0 || d.getR() < 0
        || d.getW() < 0) {
      throw new MalformedClusterStateException("negative version, Q or quorum");
    }
    return new RingState(
        p.getVersion(), NodeId.of(p.getClaimant()), p.getPartitions(), p.getReplicas(), statuses,
        table, moves, new BucketDefaults(d.getN(), d.getR(), d.getW(), mode));
  }

  public static GossipDigest digestToProto(ClusterDigest digest) {
    GossipDigest.Builder b = GossipDigest.newBuilder();
    digest.nodes().forEach((id, v) -> b.addNodes(NodeDigestProto.newBuilder()
        .setNodeId(id.value())
        .setGeneration(v.generation())
        .setVersion(v.version())));
    RingVersion r = digest.ring();
    if (r.version() != 0) {
      b.setRing(RingDigestProto.newBuilder()
          .setVersion(r.version())
          .setClaimant(r.claimant().value())
          .setContentHash(r.contentHash()));
    }
    return b.build();
  }

  public static ClusterDigest digestFromProto(GossipDigest proto) {
    if (proto.getNodesCount() > RingState.MAX_MEMBERS) {
      throw new MalformedClusterStateException(
          "digest of more than " + RingState.MAX_MEMBERS + " nodes: " + proto.getNodesCount());
    }
    try {
      TreeMap<NodeId, EntryVersion> nodes = new TreeMap<>();
      for (NodeDigestProto n : proto.getNodesList()) {
        if (n.getGeneration() < 0 || n.getVersion() < 0) {
          throw new MalformedClusterStateException("negative generation or version in a digest");
        }
        NodeId id = NodeId.of(n.getNodeId());
        if (nodes.put(id, new EntryVersion(n.getGeneration(), n.getVersion())) != null) {
          throw new MalformedClusterStateException(
              "digest lists " + Untrusted.escape(id.value()) + " twice");
        }
      }
      return new ClusterDigest(nodes, ringDigestFromProto(proto.getRing()));
    } catch (IllegalArgumentException e) {
      throw new MalformedClusterStateException("invalid digest: " + e.getMessage(), e);
    }
  }

  static RingVersion ringDigestFromProto(RingDigestProto r) {
    if (r.getVersion() == 0) {
      return RingVersion.NONE;
    }
    if (r.getVersion() < 0) {
      throw new MalformedClusterStateException("negative ring version in a digest");
    }
    try {
      return new RingVersion(r.getVersion(), NodeId.of(r.getClaimant()), r.getContentHash());
    } catch (IllegalArgumentException e) {
      throw new MalformedClusterStateException("invalid ring digest: " + e.getMessage(), e);
    }
  }
}

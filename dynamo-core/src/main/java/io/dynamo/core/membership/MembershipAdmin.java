package io.dynamo.core.membership;

import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.NodeEntry;
import io.dynamo.core.cluster.PartitionMove;
import io.dynamo.core.cluster.PendingMove;
import io.dynamo.core.cluster.MovePhase;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.transfer.TransferProgress;
import io.dynamo.proto.v1.CommitResponse;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.MemberLoad;
import io.dynamo.proto.v1.PartitionOwners;
import io.dynamo.proto.v1.PlanResponse;
import io.dynamo.proto.v1.PlannedMove;
import io.dynamo.proto.v1.RingResponse;
import io.dynamo.proto.v1.StageChangeRequest;
import io.dynamo.proto.v1.StatusCode;
import io.dynamo.proto.v1.TransfersResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Answers the operator's membership requests (stage, plan, commit, ring, transfers) from the
 * {@link MembershipService} of shard 0. Plans carry the bytes to move, estimated from this node's
 * storage: the partitions it holds are measured, the others taken at their average.
 */
public final class MembershipAdmin {
  private final MembershipService membership;
  private final StorageExecutor storage;
  private final StorageEngine engine;

  public MembershipAdmin(MembershipService membership, StorageExecutor storage, StorageEngine engine) {
    this.membership = membership;
    this.storage = storage;
    this.engine = engine;
  }

  /** Whether {@code request} is one of these. */
  public static boolean handles(Envelope request) {
    return switch (request.getBodyCase()) {
      case STAGE_CHANGE_REQUEST, PLAN_REQUEST, COMMIT_REQUEST, RING_REQUEST, TRANSFERS_REQUEST -> true;
      default -> false;
    };
  }

  /** Answers {@code request} through {@code reply}, exactly once. */
  public void handle(Envelope request, Consumer<Envelope> reply) {
    long id = request.getRequestId();
    switch (request.getBodyCase()) {
      case STAGE_CHANGE_REQUEST -> stage(id, request.getStageChangeRequest(), reply);
      case PLAN_REQUEST -> answerPlan(id, membership.plan(), reply);
      case COMMIT_REQUEST -> commit(id, request.getCommitRequest().getPlanHash(), reply);
      case RING_REQUEST -> reply.accept(Replies.envelope(id).setRingResponse(ring()).build());
      case TRANSFERS_REQUEST -> reply.accept(Replies.envelope(id).setTransfersResponse(transfers()).build());
      default -> reply.accept(Replies.error(id, StatusCode.UNKNOWN_MESSAGE, "not a membership request"));
    }
  }

  private void stage(long id, StageChangeRequest request, Consumer<Envelope> reply) {
    Claimant.Plan plan;
    if (request.getKind() == StageChangeRequest.Kind.CLEAR) {
      plan = membership.clearStaged();
    } else {
      StagedChange.Kind kind;
      switch (request.getKind()) {
        case JOIN -> kind = StagedChange.Kind.JOIN;
        case LEAVE -> kind = StagedChange.Kind.LEAVE;
        case REMOVE -> kind = StagedChange.Kind.REMOVE;
        case MARK_DOWN -> kind = StagedChange.Kind.MARK_DOWN;
        default -> {
          reply.accept(Replies.error(id, StatusCode.INVALID_ARGUMENT, "unknown change " + request.getKind()));
          return;
        }
      }
      NodeId node;
      try {
        node = NodeId.of(request.getNodeId());
      } catch (IllegalArgumentException e) {
        reply.accept(Replies.error(id, StatusCode.INVALID_ARGUMENT, e.getMessage()));
        return;
      }
      if (!membership.isClaimant()) {
        reply.accept(notClaimant(id, new NotClaimantException(membership.claimant())));
        return;
      }
      plan = membership.stage(new StagedChange(kind, node));
    }
    answerPlan(id, plan, reply);
  }

  private void commit(long id, long hash, Consumer<Envelope> reply) {
    try {
      RingState next = membership.commit(hash);
      reply.accept(
          Replies.envelope(id)
              .setCommitResponse(
                  CommitResponse.newBuilder().setRingVersion(next.version()).setMoves(next.moves().size()))
              .build());
    } catch (NotClaimantException e) {
      reply.accept(notClaimant(id, e));
    } catch (PlanChangedException e) {
      reply.accept(Replies.error(id, StatusCode.PLAN_CHANGED, e.getMessage()));
    }
  }

  private static Envelope notClaimant(long id, NotClaimantException e) {
    return Replies.error(id, StatusCode.NOT_CLAIMANT, e.getMessage());
  }

  /** Estimates the bytes each move carries off the protocol thread, then answers. */
  private void answerPlan(long id, Claimant.Plan plan, Consumer<Envelope> reply) {
    List<Integer> partitions = new ArrayList<>();
    for (PartitionMove m : plan.moves()) {
      partitions.add(m.partition());
    }
    RingState base = plan.base();
    NodeId self = membership.self();
    storage.execute(
        () -> {
          Map<Integer, Long> sizes = new HashMap<>();
          if (base.table() != null) {
            for (int p = 0; p < base.partitions(); p++) {
              if (base.table().owners(p).contains(self)) {
                sizes.put(p, engine.approximateBytes(
                    Keyspace.DATA, DataKey.partitionStart(p), DataKey.partitionStart(p + 1)));
              }
            }
          }
          return sizes;
        },
        (sizes, error) -> reply.accept(
            Replies.envelope(id).setPlanResponse(planResponse(plan, sizes == null ? Map.of() : sizes)).build()));
  }

  private PlanResponse planResponse(Claimant.Plan plan, Map<Integer, Long> sizes) {
    long average = sizes.isEmpty() ? 0 : sizes.values().stream().mapToLong(Long::longValue).sum() / sizes.size();
    PlanResponse.Builder b = PlanResponse.newBuilder()
        .setPlanHash(plan.hash())
        .setRingVersion(plan.base().version())
        .addAllProblems(plan.problems());
    NodeId claimant = membership.claimant();
    b.setClaimant(claimant == null ? "" : claimant.value());
    for (StagedChange c : plan.staged()) {
      b.addStaged(c.toString());
    }
    long total = 0;
    for (PartitionMove m : plan.moves()) {
      long bytes = sizes.getOrDefault(m.partition(), average);
      total += bytes;
      b.addMoves(move(m, bytes));
    }
    return b.setBytesToMove(total).build();
  }

  private static PlannedMove move(PartitionMove m, long bytes) {
    return PlannedMove.newBuilder()
        .setPartition(m.partition()).setFrom(m.from().value()).setTo(m.to().value()).setBytes(bytes)
        .build();
  }

  private RingResponse ring() {
    ClusterState state = membership.state();
    RingState ring = state.ring();
    RingResponse.Builder b = RingResponse.newBuilder().setRingVersion(ring.version());
    NodeId claimant = membership.claimant();
    b.setClaimant(claimant == null ? "" : claimant.value()).setReplicas(ring.replicas());
    if (ring.isNone() || ring.table() == null) {
      return b.build();
    }
    Map<Integer, List<String>> pending = new HashMap<>();
    for (PendingMove m : ring.moves()) {
      b.addPendingMoves(move(m.move(), 0));
      if (m.phase() == MovePhase.PENDING) {
        pending.computeIfAbsent(m.move().partition(), p -> new ArrayList<>()).add(m.move().to().value());
      }
    }
    for (int p = 0; p < ring.partitions(); p++) {
      PartitionOwners.Builder o = PartitionOwners.newBuilder().setPartition(p);
      for (NodeId owner : ring.table().owners(p)) {
        o.addOwners(owner.value());
      }
      o.addAllPending(pending.getOrDefault(p, List.of()));
      b.addPartitions(o);
    }
    Map<NodeId, Integer> copies = ring.table().copiesByNode();
    long capacity = 0;
    for (Map.Entry<NodeId, MemberStatus> e : ring.statuses().entrySet()) {
      if (e.getValue() == MemberStatus.VALID) {
        capacity += capacityOf(state, e.getKey());
      }
    }
    double perCapacity = capacity == 0 ? 0 : (double) ring.partitions() * ring.replicas() / capacity;
    ring.statuses().forEach((id, status) -> {
      int cap = capacityOf(state, id);
      int have = copies.getOrDefault(id, 0);
      double fair = status == MemberStatus.VALID ? perCapacity * cap : 0;
      b.addMembers(MemberLoad.newBuilder()
          .setNodeId(id.value())
          .setStatus(status.name().toLowerCase(java.util.Locale.ROOT))
          .setCapacity(cap)
          .setCopies(have)
          .setShareOfFair(fair == 0 ? 0 : have / fair));
    });
    return b.build();
  }

  private static int capacityOf(ClusterState state, NodeId id) {
    NodeEntry e = state.node(id);
    return e == null ? 1 : e.capacity();
  }

  private TransfersResponse transfers() {
    TransfersResponse.Builder b = TransfersResponse.newBuilder();
    String self = membership.self().value();
    for (TransferProgress t : membership.transfers().incoming()) {
      String state = switch (t.state()) {
        case QUEUED, LOADING -> "queued";
        case RUNNING -> "copying";
        case COMPLETED -> "done";
        case FAILED, CANCELLED -> "failed";
      };
      b.addTransfers(io.dynamo.proto.v1.TransferProgress.newBuilder()
          .setPartition(t.partition())
          .setFrom(t.source().value())
          .setTo(self)
          .setState(state)
          .setBytesDone(t.bytesDone())
          .setBytesTotal(t.estimatedBytes())
          .setKeysDone(t.keysDone())
          .setBytesPerSecond(t.bytesPerSecond())
          .setError(t.failure() == null ? "" : t.failure()));
    }
    return b.build();
  }
}

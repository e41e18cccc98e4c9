package io.dynamo.client.impl;

import io.dynamo.client.ClusterPlan;
import io.dynamo.client.PlannedMove;
import io.dynamo.client.RingLayout;
import io.dynamo.client.TransferStatus;
import io.dynamo.proto.v1.MemberLoad;
import io.dynamo.proto.v1.PartitionOwners;
import io.dynamo.proto.v1.PlanResponse;
import io.dynamo.proto.v1.RingResponse;
import io.dynamo.proto.v1.TransferProgress;
import io.dynamo.proto.v1.TransfersResponse;
import java.util.ArrayList;
import java.util.List;

/** Turns the answers to operator requests about membership into the client's types. */
public final class AdminAnswers {
  private AdminAnswers() {}

  public static ClusterPlan plan(PlanResponse p) {
    return new ClusterPlan(
        p.getStagedList(), moves(p.getMovesList()), p.getPlanHash(), p.getRingVersion(),
        p.getClaimant(), p.getBytesToMove(), p.getProblemsList());
  }

  public static RingLayout ring(RingResponse r) {
    List<RingLayout.Partition> partitions = new ArrayList<>(r.getPartitionsCount());
    for (PartitionOwners p : r.getPartitionsList()) {
      partitions.add(new RingLayout.Partition(p.getPartition(), p.getOwnersList(), p.getPendingList()));
    }
    List<RingLayout.MemberLoad> members = new ArrayList<>(r.getMembersCount());
    for (MemberLoad m : r.getMembersList()) {
      members.add(
          new RingLayout.MemberLoad(
              m.getNodeId(), m.getStatus(), m.getCapacity(), m.getCopies(), m.getShareOfFair()));
    }
    return new RingLayout(
        r.getRingVersion(), r.getClaimant(), r.getReplicas(), partitions,
        moves(r.getPendingMovesList()), members);
  }

  public static List<TransferStatus> transfers(TransfersResponse t) {
    List<TransferStatus> out = new ArrayList<>(t.getTransfersCount());
    for (TransferProgress p : t.getTransfersList()) {
      out.add(
          new TransferStatus(
              p.getPartition(), p.getFrom(), p.getTo(), p.getState(), p.getBytesDone(),
              p.getBytesTotal(), p.getKeysDone(), p.getBytesPerSecond(), p.getError()));
    }
    return out;
  }

  private static List<PlannedMove> moves(List<io.dynamo.proto.v1.PlannedMove> moves) {
    List<PlannedMove> out = new ArrayList<>(moves.size());
    for (io.dynamo.proto.v1.PlannedMove m : moves) {
      out.add(new PlannedMove(m.getPartition(), m.getFrom(), m.getTo(), m.getBytes()));
    }
    return out;
  }
}

package io.dynamo.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.cluster.BucketDefaults;
import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.MovePhase;
import io.dynamo.core.cluster.NodeEntry;
import io.dynamo.core.cluster.PartitionMove;
import io.dynamo.core.cluster.PartitionPlanner;
import io.dynamo.core.cluster.PendingMove;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaimantTest {
  static final NodeId N1 = NodeId.of("n1");
  static final NodeId N2 = NodeId.of("n2");
  static final NodeId N3 = NodeId.of("n3");
  static final NodeId N4 = NodeId.of("n4");
  static final int Q = 64;

  static NodeEntry entry(NodeId id, long ringApplied, List<PartitionMove> copied, boolean autoJoin) {
    return new NodeEntry(
        id, "127.0.0.1:7" + id.value().substring(1) + "01", "127.0.0.1:7" + id.value().substring(1) + "00",
        1, "", 1, 1, ringApplied, copied, autoJoin);
  }

  /** n1..n3 valid and owning a balanced table at ring version 2; n4 known by its entry only. */
  static ClusterState threeNodesAndN4(boolean n4AutoJoin) {
    List<Member> members = List.of(Member.of("n1", 1), Member.of("n2", 1), Member.of("n3", 1));
    RingState ring = RingState.initial(N1, Q, 3, BucketDefaults.DEFAULT).edit()
        .status(N2, MemberStatus.VALID).status(N3, MemberStatus.VALID)
        .table(PartitionPlanner.initial(members, Q, 3)).commit(N1);
    return ClusterState.of(
        List.of(entry(N1, 2, List.of(), false), entry(N2, 2, List.of(), false),
            entry(N3, 2, List.of(), false), entry(N4, 0, List.of(), n4AutoJoin)),
        ring);
  }

  @Test
  void aJoinMovesAQuarterOfTheCopiesToTheNewNodeOnly() {
    ClusterState state = threeNodesAndN4(false);
    Claimant.Plan plan = Claimant.plan(state, N1, List.of(new StagedChange(StagedChange.Kind.JOIN, N4)));
    assertThat(plan.problems()).isEmpty();
    assertThat(plan.committable()).isTrue();
    assertThat(plan.moves()).hasSize(Q * 3 / 4).allSatisfy(m -> assertThat(m.to()).isEqualTo(N4));
    RingState next = plan.next();
    assertThat(next.version()).isEqualTo(3);
    assertThat(next.statuses()).containsEntry(N4, MemberStatus.VALID);
    assertThat(next.table()).as("owners change only when copies are complete").isEqualTo(state.ring().table());
    assertThat(next.moves()).allSatisfy(m -> assertThat(m.phase()).isEqualTo(MovePhase.PENDING));
    assertThat(Claimant.plan(state, N1, List.of(new StagedChange(StagedChange.Kind.JOIN, N4))).hash())
        .as("the same plan again").isEqualTo(plan.hash());
  }

  @Test
  void movesSwitchWhenCopiedAndAreReleasedOnceEveryMemberAppliedTheSwitch() {
    ClusterState state = threeNodesAndN4(false);
    RingState pending = Claimant.plan(state, N1, List.of(new StagedChange(StagedChange.Kind.JOIN, N4))).next();
    List<PartitionMove> moves = new ArrayList<>();
    pending.moves().forEach(m -> moves.add(m.move()));
    ClusterState s = state.with(pending);
    assertThat(Claimant.advance(s, N1, n -> true)).as("nothing copied yet").isNull();

    PartitionMove first = moves.get(0);
    s = s.with(entry(N4, pending.version(), List.of(first), false).withVersion(2));
    RingState switched = Claimant.advance(s, N1, n -> true);
    assertThat(switched).isNotNull();
    assertThat(switched.table().owners(first.partition())).contains(N4).doesNotContain(first.from());
    assertThat(switched.moves()).contains(new PendingMove(first, MovePhase.COPIED));

    s = s.with(switched);
    assertThat(Claimant.advance(s, N1, n -> true))
        .as("not released while members have not applied the switch").isNull();
    for (NodeId n : List.of(N1, N2, N3, N4)) {
      NodeEntry e = s.node(n);
      s = s.with(entry(n, switched.version(), e.copied(), false).withVersion(e.version() + 1));
    }
    RingState released = Claimant.advance(s, N1, n -> true);
    assertThat(released.moves()).hasSize(moves.size() - 1)
        .noneMatch(m -> m.move().equals(first));
  }

  @Test
  void aLeaveGivesAwayOnlyTheLeaversCopiesAndEndsRemoved() {
    ClusterState state = threeNodesAndN4(false);
    RingState four = Claimant.plan(state, N1, List.of(new StagedChange(StagedChange.Kind.JOIN, N4))).next();
    // Pretend the join finished: n4 owns its share.
    RingState joined = four.edit().moves(List.of())
        .table(PartitionPlanner.plan(state.ring().table(),
            List.of(Member.of("n1", 1), Member.of("n2", 1), Member.of("n3", 1), Member.of("n4", 1)),
            java.util.Set.of()).table())
        .commit(N1);
    ClusterState s = state.with(joined);
    Claimant.Plan leave = Claimant.plan(s, N1, List.of(new StagedChange(StagedChange.Kind.LEAVE, N2)));
    assertThat(leave.problems()).isEmpty();
    assertThat(leave.moves()).hasSize(joined.table().copiesOwnedBy(N2))
        .allSatisfy(m -> assertThat(m.from()).isEqualTo(N2));
    assertThat(leave.next().statuses()).containsEntry(N2, MemberStatus.LEAVING);

    // Every copy made and every member applied: the leaver owns nothing and is removed.
    RingState done = leave.next();
    List<PartitionMove> moves = done.moves().stream().map(PendingMove::move).toList();
    for (int round = 0; round < 3 && !done.moves().isEmpty(); round++) {
      ClusterState cs = s.with(done);
      for (NodeId n : List.of(N1, N2, N3, N4)) {
        List<PartitionMove> mine = moves.stream().filter(m -> m.to().equals(n)).toList();
        cs = cs.with(entry(n, done.version(), mine, false).withVersion(10 + round));
      }
      done = Claimant.advance(cs, N1, n -> true);
    }
    assertThat(done.moves()).isEmpty();
    assertThat(done.table().copiesOwnedBy(N2)).isZero();
    assertThat(done.statuses()).containsEntry(N2, MemberStatus.REMOVED);
  }

  @Test
  void problemsAreReportedAndBlockTheCommit() {
    ClusterState state = threeNodesAndN4(false);
    Claimant.Plan unknown = Claimant.plan(state, N1,
        List.of(new StagedChange(StagedChange.Kind.JOIN, NodeId.of("n9"))));
    assertThat(unknown.committable()).isFalse();
    assertThat(unknown.problems()).singleElement().asString().contains("unknown node");
    Claimant.Plan again = Claimant.plan(state, N1, List.of(new StagedChange(StagedChange.Kind.JOIN, N2)));
    assertThat(again.problems()).singleElement().asString().contains("already a member");
    RingState moving = Claimant.plan(state, N1, List.of(new StagedChange(StagedChange.Kind.JOIN, N4))).next();
    Claimant.Plan busy = Claimant.plan(state.with(moving), N1,
        List.of(new StagedChange(StagedChange.Kind.LEAVE, N3)));
    assertThat(busy.problems()).singleElement().asString().contains("under way");
  }

  @Test
  void nodesAskingToJoinByThemselvesAreListed() {
    assertThat(Claimant.autoJoins(threeNodesAndN4(true)))
        .containsExactly(new StagedChange(StagedChange.Kind.JOIN, N4));
    assertThat(Claimant.autoJoins(threeNodesAndN4(false))).isEmpty();
  }

  @Test
  void copiesWaitUntilEveryReachableMemberAppliedTheRing() {
    ClusterState state = threeNodesAndN4(false);
    RingState pending = Claimant.plan(state, N1, List.of(new StagedChange(StagedChange.Kind.JOIN, N4))).next();
    ClusterState s = state.with(pending);
    assertThat(Claimant.allApplied(s, n -> true)).isFalse();
    for (NodeId n : List.of(N1, N2, N4)) {
      s = s.with(entry(n, pending.version(), List.of(), false).withVersion(5));
    }
    assertThat(Claimant.allApplied(s, n -> true)).as("n3 has not").isFalse();
    assertThat(Claimant.allApplied(s, n -> !n.equals(N3))).as("n3 is down").isTrue();
  }

  @Test
  void aJoinerThatDiedBeforeItsCopiesCanBeRemovedWhileTheyAreUnderWay() {
    ClusterState state = threeNodesAndN4(false);
    RingState pending = Claimant.plan(state, N1, List.of(new StagedChange(StagedChange.Kind.JOIN, N4))).next();
    ClusterState s = state.with(pending);
    for (NodeId n : List.of(N1, N2, N3)) {
      s = s.with(entry(n, pending.version(), List.of(), false).withVersion(5));
    }
    assertThat(Claimant.advance(s, N1, n -> !n.equals(N4))).as("stuck: only n4 can copy").isNull();
    Claimant.Plan remove = Claimant.plan(s, N1, List.of(new StagedChange(StagedChange.Kind.REMOVE, N4)));
    assertThat(remove.problems()).isEmpty();
    assertThat(remove.committable()).isTrue();
    assertThat(remove.next().moves()).isEmpty();
    assertThat(remove.next().statuses()).containsEntry(N4, MemberStatus.REMOVED);
    assertThat(remove.next().table()).isEqualTo(state.ring().table());
    Claimant.Plan leave = Claimant.plan(s, N1, List.of(new StagedChange(StagedChange.Kind.LEAVE, N2)));
    assertThat(leave.problems()).as("other changes wait for the moves").singleElement().asString()
        .contains("under way");
  }
}

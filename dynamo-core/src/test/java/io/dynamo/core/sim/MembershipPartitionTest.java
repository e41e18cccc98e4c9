package io.dynamo.core.sim;

import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.membership.StagedChange;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * An operator on each side of a network partition (docs/decisions/0007): the cluster splits in
 * two halves, each half's claimant commits a different change (a join of n5 on one side; a join of
 * n6 or the leave of n4 on the other) while clients write on both sides, then the network heals.
 * Every node must end with the same ring, in which exactly one of the two changes survives, and no
 * write acknowledged on either side may be lost.
 */
class MembershipPartitionTest {
  @TestFactory
  Stream<DynamicTest> operatorsOnBothSidesOfAPartition() {
    return SimulationSeeds.forEach(getClass(), 20, MembershipPartitionTest::run);
  }

  /**
   * A design gap (docs/decisions/0007, docs/membership.md "Not done yet"), found at seed 1181 (1
   * of seeds 1..1200): side A's ring (join n5) had switched partition 1 to owners that did not
   * include n3 when c2-59 was written there (acknowledged by A's owners, so no hint for n3); after
   * the heal side B's ring (join n6, a higher version) won, whose owners of partition 1 are n3, n2
   * and n6. Only n2 held the write; with every hint drained, the final R = 2 read answered by n3
   * and n6 missed it ("lost write" by the strict-quorum rule). Read repair from n2's late answer
   * then brought it to n3 and n6, so it is not gone, but until a read reaches n2 (or anti-entropy
   * exists) an acknowledged write is invisible to quorum reads. Moves of the undone ring would
   * have to be replayed (or the losing ring's owners hinted) to close it.
   */
  @Disabled("design gap: writes acknowledged under the losing ring's switched moves reach the winning"
      + " ring's owners only through read repair; see the comment")
  @Test
  void seed1181LosingRingsWritesMissQuorumReads() {
    SimulationSeeds.run(getClass(), 1181, MembershipPartitionTest::run);
  }

  private static void run(long seed) {
    Random random = new Random(seed);
    SimulationConfig config = MembershipScenarios.config(random, 4, 0.03);
    SimulatedCluster cluster = SimulatedCluster.withMembership(config, random, new SimulatedTrace(false));
    List<String> problems = new ArrayList<>();
    cluster.runFor(1_000);
    NodeId n5 = cluster.addNode("n5", List.of(NodeId.of("n1"))).id();
    boolean leaveOnB = random.nextBoolean();
    NodeId n4 = NodeId.of("n4");
    NodeId n6 = leaveOnB ? n5 : cluster.addNode("n6", List.of(n4)).id();
    MembershipSimulationTest.require(
        cluster.runUntil(
            () -> cluster.nodeIds().stream().allMatch(id -> {
              var state = cluster.node(id).membership().state();
              return !state.ring().isNone() && state.node(n5) != null && state.node(n6) != null;
            }),
            100, 10_000),
        cluster, "the new nodes never became known");
    RetryingWorkload workload =
        new RetryingWorkload(cluster, SimulationScenarios.BUCKET, 24, 3, 200, 150, 4_000, 1_000, true);
    workload.start();
    cluster.runFor(1_000 + random.nextInt(2_000));

    // Two halves, each with two original members and one new node.
    List<NodeId> sideA = List.of(NodeId.of("n1"), NodeId.of("n2"), n5);
    List<NodeId> sideB =
        leaveOnB ? List.of(NodeId.of("n3"), n4) : List.of(NodeId.of("n3"), n4, n6);
    cluster.network().partition(sideA);
    cluster.note("partition " + sideA + " | " + sideB);
    RingState a = MembershipScenarios.commit(
        cluster, sideA, List.of(new StagedChange(StagedChange.Kind.JOIN, n5)), 10_000);
    StagedChange changeB =
        leaveOnB
            ? new StagedChange(StagedChange.Kind.LEAVE, n4)
            : new StagedChange(StagedChange.Kind.JOIN, n6);
    RingState b = MembershipScenarios.commit(cluster, sideB, List.of(changeB), 10_000);
    MembershipSimulationTest.require(a != null && b != null, cluster, "a side could not commit its join");
    cluster.runFor(2_000 + random.nextInt(8_000)); // each side moves partitions to its newcomer
    cluster.network().heal();
    cluster.note("heal");

    RingState winner = awaitOneRing(cluster);
    boolean aSurvived = winner.statuses().get(n5) == MemberStatus.VALID;
    boolean bSurvived =
        leaveOnB
            ? winner.statuses().get(n4) != MemberStatus.VALID
            : winner.statuses().get(n6) == MemberStatus.VALID;
    cluster.note("after the heal: ring v" + winner.version() + " by " + winner.claimant() + " "
        + winner.statuses());
    if (aSurvived == bSurvived) {
      problems.add("expected exactly one of the changes to survive, got " + winner.statuses());
    }
    if (leaveOnB && bSurvived) {
      // The leave won: once n4 owns nothing, the operator stops it.
      MembershipSimulationTest.require(
          cluster.runUntil(
              () -> cluster.latestRing().statuses().get(n4) == MemberStatus.REMOVED, 100, 60_000),
          cluster, "n4 never finished leaving");
      cluster.retire(n4);
      cluster.runFor(500);
      cluster.crash(n4);
    }
    cluster.network().setOptions(cluster.network().options().withDropProbability(0));
    MembershipSimulationTest.finish(cluster, workload, problems);
  }

  /** Waits until every node holds the same ring, and returns it. */
  private static RingState awaitOneRing(SimulatedCluster cluster) {
    MembershipSimulationTest.require(
        cluster.runUntil(
            () -> cluster.nodeIds().stream()
                .map(id -> cluster.node(id).membership().state().ring())
                .distinct().count() == 1,
            100, 20_000),
        cluster, "the halves never agreed on a ring");
    return cluster.latestRing();
  }
}

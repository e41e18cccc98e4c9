package io.dynamo.core.sim;

import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.membership.StagedChange;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * An operator on each side of a network partition (docs/decisions/0007): the cluster splits in
 * two halves, each half's claimant commits a different join while clients write on both sides,
 * then the network heals. Every node must end with the same ring, in which exactly one of the two
 * joins survives, and no write acknowledged on either side may be lost.
 */
class MembershipPartitionTest {
  @TestFactory
  Stream<DynamicTest> operatorsOnBothSidesOfAPartition() {
    return SimulationSeeds.forEach(getClass(), 20, MembershipPartitionTest::run);
  }

  private static void run(long seed) {
    Random random = new Random(seed);
    SimulationConfig config = MembershipScenarios.config(random, 4, 0.03);
    SimulatedCluster cluster = SimulatedCluster.withMembership(config, random, new SimulatedTrace(false));
    List<String> problems = new ArrayList<>();
    cluster.runFor(1_000);
    NodeId n5 = cluster.addNode("n5", List.of(NodeId.of("n1"))).id();
    NodeId n6 = cluster.addNode("n6", List.of(NodeId.of("n4"))).id();
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
    List<NodeId> sideB = List.of(NodeId.of("n3"), NodeId.of("n4"), n6);
    cluster.network().partition(sideA);
    cluster.note("partition " + sideA + " | " + sideB);
    RingState a = MembershipScenarios.commit(
        cluster, sideA, List.of(new StagedChange(StagedChange.Kind.JOIN, n5)), 10_000);
    RingState b = MembershipScenarios.commit(
        cluster, sideB, List.of(new StagedChange(StagedChange.Kind.JOIN, n6)), 10_000);
    MembershipSimulationTest.require(a != null && b != null, cluster, "a side could not commit its join");
    cluster.runFor(2_000 + random.nextInt(8_000)); // each side moves partitions to its newcomer
    cluster.network().heal();
    cluster.note("heal");

    RingState winner = awaitOneRing(cluster);
    boolean n5In = winner.statuses().get(n5) == MemberStatus.VALID;
    boolean n6In = winner.statuses().get(n6) == MemberStatus.VALID;
    if (n5In == n6In) {
      problems.add("expected exactly one of the joins to survive; n5 " + winner.statuses().get(n5)
          + ", n6 " + winner.statuses().get(n6));
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

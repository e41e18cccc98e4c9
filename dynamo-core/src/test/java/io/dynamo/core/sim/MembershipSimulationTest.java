package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.membership.StagedChange;
import io.dynamo.core.node.ReadPolicy;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Membership in the simulator (docs/decisions/0007): nodes run the real MembershipService,
 * TransferService and MembershipAdmin, as servers do, and an operator joins, drains and removes
 * nodes through the claimant while clients write without pause and nodes crash, pause and lose
 * messages. At the end every acknowledged write is readable and held by each of its key's N
 * owners, every partition has N distinct valid owners, no move is pending, and every node holds
 * the same ring.
 */
class MembershipSimulationTest {
  private static final long SETTLE_LIMIT = 60_000;

  @TestFactory
  Stream<DynamicTest> joinLeaveRemoveAndReplaceUnderFaults() {
    return SimulationSeeds.forEach(getClass(), 20, MembershipSimulationTest::lifecycle);
  }

  @TestFactory
  Stream<DynamicTest> aNodeJoiningThroughASeedLearnsTheRing() {
    return SimulationSeeds.forEach(getClass(), 10, MembershipSimulationTest::seedJoin);
  }

  /**
   * With {@code read.fanout=quorum} this seed lost an acknowledged write: n3, paused through the
   * commit of n1's leave, coordinated a put with its old ring, whose home replicas for the key were
   * still n1, n3 and n4. The copy to n4 was dropped; n1, leaving, had already handed the partition
   * to its new owner but still took and acknowledged the copy, so W = 2 was met by n3 and n1. Then
   * n1 finished leaving and was stopped before its copy of a partition it no longer owned was
   * handed on, and n3 died for good and was removed. Reading every replica (the default) hid it:
   * a later get read-repaired the write onto the new owners first. A replica now refuses a write
   * for a partition it does not hold in its own view (NOT_A_REPLICA), so such a write is not
   * acknowledged and the client retries it.
   */
  @Test
  void seed8LeaverRefusesAWriteForAPartitionItHandedAway() {
    SimulationSeeds.run(getClass(), 8, seed -> lifecycle(seed, ReadPolicy.QUORUM));
  }

  private static void lifecycle(long seed) {
    lifecycle(seed, ReadPolicy.DEFAULT);
  }

  private static void lifecycle(long seed, ReadPolicy reads) {
    Random random = new Random(seed);
    SimulationConfig base = MembershipScenarios.config(random, 4, 0.05);
    SimulationConfig config = base.withSettings(base.settings().withReads(reads));
    SimulatedCluster cluster = SimulatedCluster.withMembership(config, random, new SimulatedTrace(false));
    List<String> problems = new ArrayList<>();
    cluster.runFor(1_000);
    RetryingWorkload workload =
        new RetryingWorkload(cluster, SimulationScenarios.BUCKET, 24, 3, 250, 150, 4_000, 1_000, true);
    workload.start();
    MembershipScenarios.Chaos chaos = new MembershipScenarios.Chaos(cluster);

    // A 5th node joins.
    NodeId n5 = cluster.addNode("n5", List.of(NodeId.of("n1"))).id();
    chaos.spared.add(n5);
    chaos.start();
    require(cluster.runUntil(() -> !cluster.node(n5).membership().state().ring().isNone(), 100, 10_000),
        cluster, "n5 never learnt the ring");
    change(cluster, chaos, new StagedChange(StagedChange.Kind.JOIN, n5), java.util.Set.of(),
        ring -> ring.statuses().get(n5) == MemberStatus.VALID);
    chaos.spared.remove(n5);

    // An original member leaves; once removed, the operator stops it.
    NodeId leaver = NodeId.of("n" + (1 + random.nextInt(4)));
    chaos.spared.add(leaver);
    if (!cluster.isUp(leaver)) {
      cluster.restart(leaver);
    }
    change(cluster, chaos, new StagedChange(StagedChange.Kind.LEAVE, leaver), java.util.Set.of(),
        ring -> ring.statuses().get(leaver) == MemberStatus.REMOVED);
    cluster.retire(leaver);
    cluster.runFor(500);
    if (cluster.isUp(leaver)) {
      cluster.crash(leaver);
    }

    // A member dies for good and is removed.
    List<NodeId> members = members(cluster);
    NodeId dead = members.get(random.nextInt(members.size()));
    chaos.spared.add(dead);
    if (cluster.isUp(dead)) {
      cluster.crash(dead);
    }
    cluster.retire(dead);
    cluster.runFor(1_000); // detected down
    change(cluster, chaos, new StagedChange(StagedChange.Kind.REMOVE, dead), java.util.Set.of(dead),
        ring -> ring.statuses().get(dead) == MemberStatus.REMOVED);

    // A replacement joins.
    NodeId n6 = cluster.addNode("n6", List.of(members(cluster).get(0))).id();
    chaos.spared.add(n6);
    require(cluster.runUntil(() -> !cluster.node(n6).membership().state().ring().isNone(), 100, 10_000),
        cluster, "n6 never learnt the ring");
    change(cluster, chaos, new StagedChange(StagedChange.Kind.JOIN, n6), java.util.Set.of(),
        ring -> ring.statuses().get(n6) == MemberStatus.VALID);

    chaos.stop();
    cluster.network().setOptions(cluster.network().options().withDropProbability(0));
    finish(cluster, workload, problems);
  }

  /** Heals, drains, reads every key, and checks the history, the ring and the owners' copies. */
  static void finish(SimulatedCluster cluster, RetryingWorkload workload, List<String> problems) {
    require(cluster.runUntil(workload::done, 100, 120_000), cluster, "the workload never finished");
    require(MembershipScenarios.settle(cluster, SETTLE_LIMIT), cluster, "the cluster never settled");
    // Hints a dead (retired) node held died with it; the live ones must all be handed over.
    boolean drained = cluster.runUntil(() -> liveHints(cluster) == 0, 100, 30_000);
    if (!drained) {
      for (NodeId id : MembershipScenarios.live(cluster)) {
        var queues = new io.dynamo.core.storage.LocalReplica(
            cluster.node(id).engine(), cluster.config().settings().maxClockEntries()).hintQueues();
        if (!queues.isEmpty()) {
          problems.add("hints not drained: " + id + " holds hints for " + queues + " (retired: "
              + cluster.nodeIds().stream().filter(cluster::isRetired).toList() + ")");
        }
      }
    }
    long getsFrom = cluster.queue().now();
    SimulatedClient reader = cluster.newClient("final");
    List<NodeId> live = MembershipScenarios.live(cluster);
    for (ByteString key : workload.keys()) {
      reader.get(live.get(cluster.random().nextInt(live.size())), SimulationScenarios.BUCKET, key, 2,
          op -> {});
    }
    cluster.runUntil(() -> reader.outstanding() == 0, 10, 10_000);
    cluster.runFor(FailureScenarios.REPAIR_SETTLE_MILLIS);
    cluster.history().ops().stream()
        .filter(op -> op.client().equals("final") && !op.succeeded())
        .forEach(op -> problems.add("final read failed: " + op));
    problems.addAll(cluster.violations());
    problems.addAll(
        AcknowledgedWritesChecker.check(cluster.history(), get -> get.invokedAt() >= getsFrom));
    RingState ring = cluster.latestRing();
    problems.addAll(MembershipScenarios.ringProblems(cluster, ring, cluster.config().n()));
    problems.addAll(FailureScenarios.homeReplicaProblems(cluster));
    cluster.note("final ring v" + ring.version() + " by " + ring.claimant() + ": " + ring.statuses());
    SimulationAssertions.assertNoProblems(cluster, problems);
  }

  private static void seedJoin(long seed) {
    Random random = new Random(seed);
    SimulationConfig config = MembershipScenarios.config(random, 3, 0.1);
    SimulatedCluster cluster = SimulatedCluster.withMembership(config, random, new SimulatedTrace(false));
    cluster.runFor(500);
    NodeId seedNode = cluster.nodeIds().get(random.nextInt(3));
    SimulatedNode joiner = cluster.addNode("n4", List.of(seedNode));
    require(
        cluster.runUntil(
            () -> joiner.membership().state().ring().equals(cluster.node(seedNode).membership().state().ring())
                && joiner.view().version() > 0,
            100, 10_000),
        cluster, "n4 never learnt the ring through " + seedNode);
    List<String> problems = new ArrayList<>();
    // Every member learns the newcomer's entry, and it answers data requests as a coordinator.
    if (!cluster.runUntil(
        () -> cluster.nodeIds().stream()
            .allMatch(id -> cluster.node(id).membership().state().node(joiner.id()) != null),
        100, 10_000)) {
      problems.add("not every node learnt n4's entry");
    }
    // One put, one attempt: on a lossless network, so that its failure means something.
    cluster.network().setOptions(cluster.network().options().withDropProbability(0));
    SimulatedClient client = cluster.newClient("c");
    client.put(joiner.id(), SimulationScenarios.BUCKET, ByteString.copyFromUtf8("k"), ByteString.EMPTY,
        ByteString.copyFromUtf8("v"), 2, op -> {});
    cluster.runUntil(() -> client.outstanding() == 0, 10, 5_000);
    cluster.history().ops().stream()
        .filter(op -> !op.succeeded())
        .forEach(op -> problems.add("request through the newcomer failed: " + op));
    SimulationAssertions.assertNoProblems(cluster, problems);
  }

  static long liveHints(SimulatedCluster cluster) {
    long n = 0;
    for (var e : cluster.pendingHints().entrySet()) {
      if (!cluster.isRetired(e.getKey())) {
        n += e.getValue();
      }
    }
    return n;
  }

  /**
   * The operator commits {@code change} (a fault may strike any node but {@code spare} right
   * after), waits until the cluster has settled, and checks that {@code done} holds of the ring.
   * A commit can be undone (decision 0007): when the claimant stops before its ring spreads and
   * another claimant commits the same version, the greater claimant id wins. Then the operator
   * stages the change again, as docs/membership.md tells them to, up to three times.
   */
  static void change(
      SimulatedCluster cluster, MembershipScenarios.Chaos chaos, StagedChange change,
      java.util.Set<NodeId> spare, java.util.function.Predicate<RingState> done) {
    for (int attempt = 1; ; attempt++) {
      commit(cluster, List.of(), change);
      chaos.strikeSoon(spare);
      require(MembershipScenarios.settle(cluster, SETTLE_LIMIT), cluster, change + " never settled");
      // The ring the live nodes agree on (a crashed claimant may hold one that was undone).
      NodeId any = MembershipScenarios.live(cluster).get(0);
      if (done.test(cluster.node(any).membership().state().ring())) {
        return;
      }
      require(attempt < 3, cluster, change + " undone three times");
      cluster.note(change + " was undone: staged again");
    }
  }

  static void commit(SimulatedCluster cluster, List<String> problems, StagedChange change) {
    RingState ring =
        MembershipScenarios.commit(cluster, MembershipScenarios.live(cluster), List.of(change), 30_000);
    require(ring != null, cluster, "could not commit " + change);
  }

  /** Valid members that are not retired. */
  static List<NodeId> members(SimulatedCluster cluster) {
    List<NodeId> out = new ArrayList<>();
    cluster.latestRing().statuses().forEach((id, s) -> {
      if (s == MemberStatus.VALID && !cluster.isRetired(id)) {
        out.add(id);
      }
    });
    return out;
  }

  static void require(boolean condition, SimulatedCluster cluster, String what) {
    SimulationAssertions.check(
        condition, cluster, condition ? what : what + MembershipScenarios.describe(cluster));
  }
}

package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.LocalReplica;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A home replica whose disk refuses every write, while its process and network stay healthy (so
 * nobody suspects it): puts sent to it, which it would coordinate, are handed to the next home
 * replica and succeed there; every acknowledged put is on the other two homes; and the broken
 * node counts its storage failures for operators.
 */
class FailingDiskCoordinatorTest {
  @TestFactory
  Stream<DynamicTest> putsThroughANodeWithABrokenDiskSucceedViaTheNextHome() {
    return SimulationSeeds.forEach(getClass(), 200, FailingDiskCoordinatorTest::run);
  }

  private static void run(long seed) {
    Random random = new Random(seed);
    SimulationConfig config = SimulationConfig.failurePath(random, 0, true).withQuorums(2, 2);
    SimulatedCluster cluster =
        SimulatedCluster.withDisks(config, random, new SimulatedTrace(false), SimulatedDisk.Durability.SYNC, 0);
    String bucket = SimulationScenarios.BUCKET;
    cluster.runFor(1_000);

    ByteString key = ByteString.copyFromUtf8("k");
    List<NodeId> homes = cluster.ring().preferenceList(bucket, key.toByteArray(), config.n());
    NodeId broken = homes.get(random.nextInt(homes.size()));
    ((SimulatedDisk) cluster.node(broken).engine()).failWrites(true);

    SimulatedClient client = cluster.newClient("c");
    int puts = 3 + random.nextInt(5);
    for (int i = 0; i < puts; i++) {
      client.put(broken, bucket, key, ByteString.EMPTY, ByteString.copyFromUtf8("v" + i), 0, op -> {});
      cluster.runUntil(() -> client.outstanding() == 0, 10, 5_000);
    }
    List<String> problems = new ArrayList<>(cluster.violations());
    cluster.history().ops().stream()
        .filter(op -> !op.succeeded())
        .forEach(op -> problems.add("put through the node with the broken disk failed: " + op));
    LocalReplica.StorageFailures failures = cluster.node(broken).protocol().storageFailures();
    if (failures.count() == 0) {
      problems.add(broken + " counted no storage failures");
    }
    SimulationAssertions.assertNoProblems(cluster, problems);

    // Every acknowledged put is on each healthy home (the broken one cannot hold anything).
    ((SimulatedDisk) cluster.node(broken).engine()).failWrites(false);
    // Wait too for coordinators to finish: a home whose replica write is still in flight when the
    // put is acknowledged gets it (or a hint for it) only later.
    boolean drained =
        cluster.runUntil(
            () ->
                FailureScenarios.totalHints(cluster) == 0
                    && cluster.ring().members().keySet().stream()
                        .allMatch(id -> cluster.node(id).pendingOperations() == 0),
            50,
            10_000);
    SimulationAssertions.check(drained, cluster, "hints not handed off once the disk works: " + cluster.pendingHints());
    problems.addAll(FailureScenarios.homeReplicaProblems(cluster));
    SimulationAssertions.assertNoProblems(cluster, problems);
  }
}

package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A home replica that stays believed up (its heartbeats get through) but loses every replica write
 * sent to it: puts still reach W on the other replicas, and each coordinator keeps a hint for the
 * replica that never acknowledged. Once the writes get through again, handoff alone (no get is
 * ever sent, so there is no read repair) brings that replica every acknowledged put.
 */
class MissedAckHintsTest {
  private static final int SEEDS = 300;

  @TestFactory
  Stream<DynamicTest> aReplicaBelievedUpThatMissesWritesGetsThemThroughHints() {
    return SimulationSeeds.forEach(getClass(), SEEDS, MissedAckHintsTest::run);
  }

  private static void run(long seed) {
    Random random = new Random(seed);
    SimulationConfig config = SimulationConfig.failurePath(random, 0, true).withQuorums(2, 2);
    SimulatedCluster cluster =
        SimulatedCluster.withDisks(config, random, new SimulatedTrace(false), SimulatedDisk.Durability.SYNC, 0);
    String bucket = SimulationScenarios.BUCKET;
    cluster.runFor(1_000); // a few heartbeats, so the detectors know every peer

    List<NodeId> nodes = cluster.nodeIds();
    NodeId deaf = nodes.get(random.nextInt(nodes.size()));
    cluster.network().setFilter((from, to, message) -> to.equals(deaf) && message.hasReplicaWriteRequest());

    SimulatedClient client = cluster.newClient("c");
    int puts = 10 + random.nextInt(20);
    for (int i = 0; i < puts; i++) {
      ByteString key = ByteString.copyFromUtf8("k" + random.nextInt(8));
      NodeId entry = nodes.get(random.nextInt(nodes.size()));
      client.put(entry, bucket, key, ByteString.EMPTY, ByteString.copyFromUtf8("v" + i), 0, op -> {});
      cluster.runUntil(() -> client.outstanding() == 0, 10, 5_000);
    }
    // Past every put's deadline, so each coordinator has given up on the deaf replica's ack.
    cluster.runFor(config.settings().requestTimeoutMillis() + 500);
    List<String> problems = new ArrayList<>(cluster.violations());
    for (NodeId node : nodes) {
      if (!node.equals(deaf) && !cluster.node(node).protocol().isUp(deaf)) {
        problems.add(node + " suspected " + deaf + ", whose heartbeats were never dropped");
      }
    }
    cluster.history().ops().stream()
        .filter(op -> !op.succeeded())
        .forEach(op -> problems.add("put failed with one replica deaf and W = 2: " + op));
    // Puts the deaf replica is a home of but did not coordinate itself reached it only as hints.
    long missedByDeaf =
        AcknowledgedWritesChecker.acknowledgedPuts(cluster.history()).stream()
            .filter(a -> !a.dot().node().equals(deaf))
            .filter(a -> cluster.ring()
                .preferenceList(bucket, a.op().key().key().toByteArray(), config.n()).contains(deaf))
            .count();
    if (missedByDeaf > 0 && FailureScenarios.totalHints(cluster) == 0) {
      problems.add("no coordinator kept a hint for " + deaf + ", which missed " + missedByDeaf + " puts");
    }
    SimulationAssertions.assertNoProblems(cluster, problems);

    cluster.network().setFilter((from, to, message) -> false);
    boolean drained = cluster.runUntil(() -> FailureScenarios.totalHints(cluster) == 0, 50, 10_000);
    SimulationAssertions.check(drained, cluster, "hints not handed off: " + cluster.pendingHints());
    problems.addAll(FailureScenarios.homeReplicaProblems(cluster));
    SimulationAssertions.assertNoProblems(cluster, problems);
  }
}

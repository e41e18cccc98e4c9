package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.monitor.PeerView;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.view.ClusterView;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A member leaves the view while it is down and other nodes hold hints for it. Every node follows
 * the new view: it stops heartbeating the removed member and forgets it, the hints held for it go
 * to their keys' home replicas in the new ring (and, from there, by ordinary handoff), writes and
 * reads keep succeeding across the change, and no acknowledged write is lost.
 *
 * <p>4 nodes, N = 3, R = W = 2: the removed node is down from before the first write, so it
 * acknowledged nothing; every write it missed left a hint for it. In the 3-node view every node
 * is a home replica of every key, so each node must end up with every acknowledged put.
 */
class ViewChangeTest {
  private static final int KEYS = 12;

  @TestFactory
  Stream<DynamicTest> hintsForARemovedMemberReachTheNewHomes() {
    return SimulationSeeds.forEach(getClass(), 200, ViewChangeTest::run);
  }

  private static void run(long seed) {
    Random random = new Random(seed);
    SimulationConfig config =
        SimulationConfig.failurePath(random, 0, true).withNodes(4).withQuorums(2, 2);
    SimulatedCluster cluster =
        SimulatedCluster.withDisks(config, random, new SimulatedTrace(false), SimulatedDisk.Durability.SYNC, 0);
    String bucket = SimulationScenarios.BUCKET;
    cluster.runFor(1_000); // a few heartbeats, so the detectors know every peer

    NodeId leaving = cluster.nodeIds().get(random.nextInt(4));
    List<NodeId> staying = new ArrayList<>(cluster.nodeIds());
    staying.remove(leaving);
    cluster.crash(leaving);
    boolean detected =
        cluster.runUntil(
            () -> staying.stream().noneMatch(a -> cluster.node(a).protocol().isUp(leaving)), 50, 5_000);
    SimulationAssertions.check(detected, cluster, "the staying nodes did not detect " + leaving + " down");
    List<String> problems = new ArrayList<>();

    SimulatedClient client = cluster.newClient("c");
    putAll(cluster, client, staying, bucket, 0, random);
    cluster.runFor(1_000); // the third copies and their hints land
    if (hintsFor(cluster, staying, leaving) == 0) {
      problems.add("no node holds a hint for " + leaving);
    }

    List<Member> members =
        staying.stream().map(id -> cluster.ring().members().get(id)).toList();
    Ring next = Ring.create(members, config.partitions(), config.n());
    cluster.changeView(ClusterView.of(2, next));
    putAll(cluster, client, staying, bucket, 1, random); // writes across and after the change
    // A put is acknowledged at W = 2; its third copy, or the hint kept when that copy is not
    // acknowledged in time, may still be on the way: let it land before looking at hints.
    cluster.runFor(3_000);

    boolean drained = cluster.runUntil(() -> FailureScenarios.totalHints(cluster) == 0, 50, 20_000);
    SimulationAssertions.check(drained, cluster, "hints not handed over: " + cluster.pendingHints());
    for (NodeId id : staying) {
      for (PeerView peer : cluster.node(id).protocol().peerViews()) {
        if (peer.peer().equals(leaving)) {
          problems.add(id + " still monitors removed member " + leaving);
        }
      }
      if (cluster.node(id).protocol().phi(leaving) != 0) {
        // Forgotten, not suspected: a removed member has no verdict at all.
        problems.add(id + " still suspects removed member " + leaving);
      }
    }
    long getsFrom = cluster.queue().now();
    for (int i = 0; i < KEYS; i++) {
      client.get(staying.get(random.nextInt(3)), bucket, key(i), 2, op -> {});
    }
    cluster.runUntil(() -> client.outstanding() == 0, 10, 10_000);
    cluster.history().ops().stream()
        .filter(op -> !op.succeeded())
        .forEach(op -> problems.add("request failed: " + op));
    problems.addAll(cluster.violations());
    problems.addAll(
        AcknowledgedWritesChecker.check(cluster.history(), get -> get.invokedAt() >= getsFrom));
    problems.addAll(FailureScenarios.homeReplicaProblems(cluster));
    SimulationAssertions.assertNoProblems(cluster, problems);
  }

  /** Puts each key once (blind, a distinct value per round) through a random staying node. */
  private static void putAll(
      SimulatedCluster cluster, SimulatedClient client, List<NodeId> through, String bucket,
      int round, Random random) {
    for (int i = 0; i < KEYS; i++) {
      NodeId entry = through.get(random.nextInt(through.size()));
      client.put(entry, bucket, key(i), ByteString.EMPTY,
          ByteString.copyFromUtf8("v" + round + "-" + i), 2, op -> {});
      cluster.runUntil(() -> client.outstanding() == 0, 10, 5_000);
    }
  }

  private static ByteString key(int i) {
    return ByteString.copyFromUtf8("k" + i);
  }

  private static long hintsFor(SimulatedCluster cluster, List<NodeId> holders, NodeId target) {
    long n = 0;
    for (NodeId id : holders) {
      LocalReplica.HintQueueStats stats =
          new LocalReplica(cluster.node(id).engine(), cluster.config().settings().maxClockEntries())
              .hintQueues().get(target);
      n += stats == null ? 0 : stats.count();
    }
    return n;
  }
}

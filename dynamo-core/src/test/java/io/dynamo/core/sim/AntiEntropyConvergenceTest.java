package io.dynamo.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.antientropy.AntiEntropySettings;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Anti-entropy alone converges replicas: with hinted handoff and read repair both off, a workload
 * runs through random drops, crashes, restarts, partitions and, in half the runs, one node whose
 * data is wiped while it is down; once the faults stop, within {@link #CONVERGE_LIMIT_MILLIS} of simulated time and
 * through exchanges only, every owner of every partition must hold exactly the same records, no
 * node may hold data of a partition it does not own (substitutes hand their writes to the owners
 * and delete them), and, in runs without a wipe, every acknowledged write must be on each of its
 * key's owners.
 */
class AntiEntropyConvergenceTest {
  private static final int SEEDS = 1000;
  /**
   * Sweeps every 2 s, a 100 ms confirmation delay, 1 s step timeouts, copies of partitions not
   * owned handed over after 2 s, tombstones kept: simulated time is short.
   */
  static final AntiEntropySettings SIM_ANTI_ENTROPY =
      new AntiEntropySettings(true, 2_000, 100, 1_000, 0, 1, 1_000, 0, 2_000, 0);
  static final long CONVERGE_LIMIT_MILLIS = 30_000;
  private static final AtomicLong slowest = new AtomicLong();

  @TestFactory
  Stream<DynamicTest> replicasConvergeThroughAntiEntropyAlone() {
    return SimulationSeeds.forEach(getClass(), SEEDS, seed -> {
      SimulatedCluster cluster = run(seed, new SimulatedTrace(false), true);
      SimulationAssertions.assertNoProblems(cluster, problems(cluster));
    });
  }

  /** The same faults without anti-entropy leave some replicas apart: the check can fail. */
  @TestFactory
  Stream<DynamicTest> withoutAntiEntropyReplicasStayApart() {
    int apart = 0;
    for (long seed = 1; seed <= 20; seed++) {
      SimulatedCluster cluster = run(seed, new SimulatedTrace(false), false);
      if (!differingPartitions(cluster).isEmpty()) {
        apart++;
      }
    }
    int seen = apart;
    return Stream.of(DynamicTest.dynamicTest("most of 20 seeds", () -> assertThat(seen).isGreaterThan(10)));
  }

  @AfterAll
  static void report() {
    System.out.println("anti-entropy convergence: slowest " + slowest.get() + " ms after healing");
  }

  private static List<String> problems(SimulatedCluster cluster) {
    List<String> problems = new ArrayList<>(cluster.violations());
    // A wipe can destroy the only copies of a write (W = 1, or its other copies still on their
    // way): only runs without one must keep every acknowledged write.
    if (cluster.notes().stream().noneMatch(n -> n.contains("wiped "))) {
      problems.addAll(FailureScenarios.homeReplicaProblems(cluster));
    }
    List<String> notOwned = copiesNotOwned(cluster);
    if (!notOwned.isEmpty()) {
      problems.add("copies of partitions not owned left: " + notOwned);
    }
    Object converged = cluster.notes().stream().filter(n -> n.contains("converged ")).findFirst().orElse(null);
    if (converged == null) {
      problems.add("replicas still differ " + CONVERGE_LIMIT_MILLIS + " ms after healing: partitions "
          + differingPartitions(cluster));
      for (int p : differingPartitions(cluster)) {
        for (NodeId owner : cluster.ring().preferenceList(p, cluster.config().n())) {
          SimulatedNode node = cluster.node(owner);
          Long root = node.trees() == null ? null : node.trees().read(p, t -> t.root());
          problems.add("  p" + p + " on " + owner + (cluster.isUp(owner) ? "" : " (down)") + ": "
              + contentOf(node.engine(), p).size() / 2 + " keys, tree root "
              + (root == null ? "none" : Long.toHexString(root)));
        }
      }
    }
    return problems;
  }

  /** One run; with {@code antiEntropy} off, nothing but the writes themselves moves data. */
  static SimulatedCluster run(long seed, SimulatedTrace trace, boolean antiEntropy) {
    Random random = new Random(seed);
    SimulationConfig base = SimulationConfig.failurePath(random, 0.05, false);
    SimulationConfig config =
        new SimulationConfig(
            base.nodes(), base.partitions(), base.n(), base.r(), base.w(), base.network(),
            base.storageMinDelayMillis(), base.storageMaxDelayMillis(),
            base.settings().withHandoff(false).withReadRepair(false), base.clientTimeoutMillis(),
            base.failureDetector(), base.shards());
    long flushDelay = 100 + random.nextInt(2_000);
    SimulatedCluster cluster =
        antiEntropy
            ? SimulatedCluster.withAntiEntropy(
                config, random, trace, SimulatedDisk.Durability.NO_SYNC, flushDelay, SIM_ANTI_ENTROPY)
            : SimulatedCluster.withDisks(config, random, trace, SimulatedDisk.Durability.NO_SYNC, flushDelay);
    cluster.note("handoff and read repair off, anti-entropy " + (antiEntropy ? "on" : "off"));
    SimulatedFaults faults = new SimulatedFaults(cluster, false, 0.10, 50, 1_000);
    SimulatedWorkload workload =
        new SimulatedWorkload(
            cluster, SimulationScenarios.BUCKET, 1 + random.nextInt(6), 2 + random.nextInt(5),
            20 + random.nextInt(30), random.nextInt(100));
    NodeId wiped = cluster.nodeIds().get(random.nextInt(cluster.nodeIds().size()));
    long wipeAt = random.nextInt(3_000);

    boolean wipe = random.nextBoolean();

    faults.start();
    workload.start();
    if (wipe) {
      cluster.runFor(wipeAt);
      // A disk replaced while the node was down: its data, hints and meta (the dot counter's
      // mark) are gone. It makes its dots under a new epoch, so it never reissues an old dot.
      if (cluster.isUp(wiped)) {
        cluster.crash(wiped);
      }
      wipe(cluster.node(wiped).engine());
      cluster.note("wiped " + wiped + " at " + cluster.queue().now());
      cluster.restart(wiped);
    }
    cluster.runUntil(workload::done, 50, 600_000);
    faults.stop();

    cluster.note("heal phase");
    cluster.network().heal();
    cluster.network().setOptions(cluster.network().options().withDropProbability(0));
    for (NodeId id : cluster.nodeIds()) {
      if (!cluster.isUp(id)) {
        cluster.restart(id);
      }
    }
    long healedAt = cluster.queue().now();
    if (cluster.runUntil(
        () -> differingPartitions(cluster).isEmpty() && (!antiEntropy || copiesNotOwned(cluster).isEmpty()),
        100, CONVERGE_LIMIT_MILLIS)) {
      long took = cluster.queue().now() - healedAt;
      slowest.accumulateAndGet(took, Math::max);
      cluster.note("converged " + took + " ms after healing");
    }
    return cluster;
  }

  private static void wipe(StorageEngine engine) {
    byte[] all = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    engine.deleteRange(Keyspace.DATA, new byte[0], all);
    engine.deleteRange(Keyspace.HINTS, new byte[0], all);
    engine.deleteRange(Keyspace.META, new byte[0], all);
  }

  /** "node/partition" for every node holding data of a partition it does not own. */
  static List<String> copiesNotOwned(SimulatedCluster cluster) {
    Ring ring = cluster.ring();
    List<String> out = new ArrayList<>();
    for (NodeId id : cluster.nodeIds()) {
      for (int p = 0; p < ring.partitions(); p++) {
        if (!ring.preferenceList(p, cluster.config().n()).contains(id)
            && !contentOf(cluster.node(id).engine(), p).isEmpty()) {
          out.add(id + "/p" + p);
        }
      }
    }
    return out;
  }

  /** Partitions whose owners do not all hold exactly the same records. */
  static List<Integer> differingPartitions(SimulatedCluster cluster) {
    Ring ring = cluster.ring();
    List<Integer> out = new ArrayList<>();
    for (int p = 0; p < ring.partitions(); p++) {
      List<byte[]> first = null;
      for (NodeId owner : ring.preferenceList(p, cluster.config().n())) {
        List<byte[]> content = contentOf(cluster.node(owner).engine(), p);
        if (first == null) {
          first = content;
        } else if (!sameContent(first, content)) {
          out.add(p);
          break;
        }
      }
    }
    return out;
  }

  private static List<byte[]> contentOf(StorageEngine engine, int partition) {
    List<byte[]> out = new ArrayList<>();
    engine.scan(
        Keyspace.DATA,
        DataKey.partitionStart(partition),
        DataKey.partitionStart(partition + 1),
        (k, v) -> {
          out.add(k);
          out.add(v);
          return true;
        });
    return out;
  }

  private static boolean sameContent(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }
}

package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import java.util.Random;

/** Whole simulation runs shared by the tests: each builds its cluster from the seed alone. */
final class SimulationScenarios {
  static final String BUCKET = "sim";

  private SimulationScenarios() {}

  /**
   * Random clients over a lossy, reordering network, then (network drained, drops off) a read of
   * every key with R = N from a random node.
   */
  static SimulatedCluster randomWorkload(long seed, SimulatedTrace trace) {
    Random random = new Random(seed);
    SimulationConfig config = SimulationConfig.random(random, 0.10);
    SimulatedCluster cluster = new SimulatedCluster(config, random, trace);
    runRandomWorkload(cluster);
    return cluster;
  }

  static void runRandomWorkload(SimulatedCluster cluster) {
    Random random = cluster.random();
    SimulatedWorkload workload =
        new SimulatedWorkload(
            cluster, BUCKET, 1 + random.nextInt(6), 2 + random.nextInt(5), 15 + random.nextInt(30),
            random.nextInt(30));
    workload.start();
    cluster.runUntilIdle();
    if (!workload.done()) {
      throw new AssertionError("the workload stalled: " + cluster.describe());
    }
    cluster.network().setOptions(cluster.network().options().withDropProbability(0));
    SimulatedClient reader = cluster.newClient("final");
    for (ByteString key : workload.keys()) {
      reader.get(cluster.randomNode(), BUCKET, key, cluster.config().n(), null);
    }
    cluster.runUntilIdle();
  }
}

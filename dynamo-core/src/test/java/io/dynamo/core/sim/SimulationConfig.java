package io.dynamo.core.sim;

import io.dynamo.core.node.BucketProperties;
import io.dynamo.core.node.BucketTable;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.version.ConflictMode;
import java.util.List;
import java.util.Random;

/**
 * The shape of one simulated cluster: members, ring, the default bucket's quorums, the network and
 * storage timing. {@link #random} draws one from the seed's random source, so a seed fixes it.
 */
public record SimulationConfig(
    int nodes,
    int partitions,
    int n,
    int r,
    int w,
    NetworkOptions network,
    long storageMinDelayMillis,
    long storageMaxDelayMillis,
    ProtocolSettings settings,
    long clientTimeoutMillis) {

  /** Every (R, W) with R + W > N = 3. */
  private static final List<int[]> STRICT_QUORUMS_N3 =
      List.of(
          new int[] {1, 3}, new int[] {2, 2}, new int[] {3, 1}, new int[] {2, 3}, new int[] {3, 2},
          new int[] {3, 3});

  public SimulationConfig {
    if (r > n || w > n || n > nodes) {
      throw new IllegalArgumentException("need r, w <= n <= nodes");
    }
  }

  /**
   * 3 to 7 nodes, 64 partitions, N = 3 with a random strict quorum (R + W > N), message delays of a
   * few to a few tens of ms with a slow tail, and drops up to {@code maxDrop}.
   */
  public static SimulationConfig random(Random random, double maxDrop) {
    int nodes = 3 + random.nextInt(5);
    int[] rw = STRICT_QUORUMS_N3.get(random.nextInt(STRICT_QUORUMS_N3.size()));
    long maxDelay = 2 + random.nextInt(30);
    NetworkOptions network =
        new NetworkOptions(
            maxDrop == 0 ? 0 : random.nextDouble() * maxDrop,
            random.nextInt(2),
            maxDelay,
            random.nextDouble() * 0.1,
            maxDelay * (2 + random.nextInt(10)));
    long storageMax = 1 + random.nextInt(5);
    return new SimulationConfig(
        nodes, 64, 3, rw[0], rw[1], network, 0, storageMax, new ProtocolSettings(1_000, 50, 1024),
        5_000);
  }

  public BucketTable buckets() {
    return BucketTable.of(new BucketProperties(n, r, w, ConflictMode.SIBLINGS, 1 << 20));
  }

  public SimulationConfig withQuorums(int newR, int newW) {
    return new SimulationConfig(
        nodes, partitions, n, newR, newW, network, storageMinDelayMillis, storageMaxDelayMillis,
        settings, clientTimeoutMillis);
  }
}

package io.dynamo.core.sim;

import io.dynamo.core.node.BucketProperties;
import io.dynamo.core.node.BucketTable;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.membership.PhiAccrualSettings;
import io.dynamo.core.version.ConflictMode;
import java.util.List;
import java.util.Random;

/**
 * The shape of one simulated cluster: members, ring, the default bucket's quorums, the network and
 * storage timing. {@link #random} draws one from the seed's random source, so a seed fixes it.
 *
 * @param shards protocol shards per node, as a server runs one per I/O event loop (1: one
 *     protocol per node); several shards of a node share its storage and failure detector
 * @param failureDetector null: every node believes every peer up and runs no timers (strict
 *     quorums; the queue goes idle once the clients are done). Otherwise each node runs the real
 *     phi-accrual {@code FailureDetector} with these settings and starts its heartbeat and handoff
 *     timers, so the queue never goes idle: run such clusters until a time or a condition.
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
    long clientTimeoutMillis,
    PhiAccrualSettings failureDetector,
    int shards) {

  /** Every (R, W) with R + W > N = 3. */
  private static final List<int[]> STRICT_QUORUMS_N3 =
      List.of(
          new int[] {1, 3}, new int[] {2, 2}, new int[] {3, 1}, new int[] {2, 3}, new int[] {3, 2},
          new int[] {3, 3});

  public SimulationConfig {
    if (r > n || w > n || n > nodes) {
      throw new IllegalArgumentException("need r, w <= n <= nodes");
    }
    if (shards < 1) {
      throw new IllegalArgumentException("need at least one shard");
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
        5_000, null, 1);
  }

  /**
   * Failure detection scaled to simulated time: heartbeats every 100 ms, a peer suspected about
   * 0.5 s after it falls silent (mean 100 ms + 300 ms pause + about 5 floored std-devs of 20 ms).
   */
  public static final PhiAccrualSettings SIM_DETECTOR = new PhiAccrualSettings(8.0, 100, 20, 300, 100);

  /**
   * As {@link #random} (drops up to {@code maxDrop}), plus the failure path: the real failure
   * detector, heartbeats every 100 ms, handoff rounds every 100 ms (enabled or not), request
   * timeouts of 1 s and client timeouts of 2 s.
   */
  public static SimulationConfig failurePath(Random random, double maxDrop, boolean handoff) {
    SimulationConfig base = random(random, maxDrop);
    ProtocolSettings settings = new ProtocolSettings(1_000, 50, 1024, 100, 100, 2_000, handoff);
    return new SimulationConfig(
        base.nodes, base.partitions, base.n, base.r, base.w, base.network,
        base.storageMinDelayMillis, base.storageMaxDelayMillis, settings, 2_000, SIM_DETECTOR, 1);
  }

  public BucketTable buckets() {
    return BucketTable.of(new BucketProperties(n, r, w, ConflictMode.SIBLINGS, 1 << 20));
  }

  public SimulationConfig withNodes(int newNodes) {
    return new SimulationConfig(
        newNodes, partitions, n, r, w, network, storageMinDelayMillis, storageMaxDelayMillis,
        settings, clientTimeoutMillis, failureDetector, shards);
  }

  public SimulationConfig withQuorums(int newR, int newW) {
    return new SimulationConfig(
        nodes, partitions, n, newR, newW, network, storageMinDelayMillis, storageMaxDelayMillis,
        settings, clientTimeoutMillis, failureDetector, shards);
  }

  public SimulationConfig withSettings(ProtocolSettings newSettings) {
    return new SimulationConfig(
        nodes, partitions, n, r, w, network, storageMinDelayMillis, storageMaxDelayMillis,
        newSettings, clientTimeoutMillis, failureDetector, shards);
  }

  public SimulationConfig withShards(int newShards) {
    return new SimulationConfig(
        nodes, partitions, n, r, w, network, storageMinDelayMillis, storageMaxDelayMillis,
        settings, clientTimeoutMillis, failureDetector, newShards);
  }
}

package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.Versioned;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetResponse;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;
import io.dynamo.testkit.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The shared scenarios' {@link ClusterDriver} over a {@link SimulatedCluster}: every node runs the
 * real failure detector and handoff timers ({@link SimulationConfig#SIM_DETECTOR}) and stores on a
 * synced {@link SimulatedDisk}; the network delays messages by 1 to 20 ms with a slow tail and
 * drops none. A request runs the event queue until its answer (or the client's timeout) arrives;
 * {@link #await} advances simulated time. Everything draws from one seed, named in {@link #name}.
 *
 * <p>Closing it checks what only the simulator can see: no harness violation (a request answered
 * twice...) and, once every replica write has landed, every acknowledged put covered, event by
 * event, on each of its key's home replicas ({@link FailureScenarios#homeReplicaProblems}).
 */
public final class SimulatorDriver implements ClusterDriver {
  private static final NetworkOptions NETWORK = new NetworkOptions(0, 1, 20, 0.05, 200);

  private static final Set<Capability> CAPABILITIES =
      Set.copyOf(EnumSet.of(
          Capability.KILL_RESTART, Capability.PAUSE, Capability.PARTITION, Capability.LOCAL_GET,
          Capability.HINTS, Capability.FAILURE_VIEW));

  private final SimulatedCluster cluster;
  private final SimulatedClient client;
  private final long seed;
  private final String specName;

  private SimulatorDriver(SimulatedCluster cluster, long seed, String specName) {
    this.cluster = cluster;
    this.client = cluster.newClient("scenario");
    this.seed = seed;
    this.specName = specName;
  }

  /** A cluster as {@code spec} asks, from {@code seed}, with a second run so the detectors know every peer. */
  public static SimulatorDriver start(ClusterSpec spec, long seed) {
    spec.assumeSupportedBy("the simulator", CAPABILITIES);
    Random random = new Random(seed);
    SimulationConfig config =
        new SimulationConfig(
            spec.nodes(), 64, 3, 2, 2, NETWORK, 0, 3,
            new ProtocolSettings(1_000, 50, 1024, 100, 100, 2_000, true),
            2_000, SimulationConfig.SIM_DETECTOR, 1);
    SimulatedCluster cluster =
        SimulatedCluster.withDisks(config, random, new SimulatedTrace(false), SimulatedDisk.Durability.SYNC, 0);
    cluster.runFor(1_000);
    return new SimulatorDriver(cluster, seed, spec.name());
  }

  /** The seed from {@code -Dsim.seed}, else 1. */
  public static long seed() {
    return Long.getLong("sim.seed", 1);
  }

  public SimulatedCluster cluster() {
    return cluster;
  }

  @Override
  public String name() {
    return "simulator " + specName + " (seed " + seed + ", -Dsim.seed=" + seed + " replays it; " + cluster.describe()
        + "; faults " + cluster.notes() + ")";
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  @Override
  public List<String> nodes() {
    return cluster.nodeIds().stream().map(NodeId::value).toList();
  }

  @Override
  public int replicas(String bucket) {
    return cluster.config().n();
  }

  @Override
  public List<String> homeReplicas(String bucket, byte[] key) {
    return cluster.ring().preferenceList(bucket, key, cluster.config().n()).stream().map(NodeId::value).toList();
  }

  @Override
  public Outcome get(String node, String bucket, byte[] key, int r) {
    return call(done -> client.get(NodeId.of(node), bucket, ByteString.copyFrom(key), r, done));
  }

  @Override
  public Outcome put(String node, String bucket, byte[] key, byte[] context, byte[] value, int w) {
    return call(done -> client.put(
        NodeId.of(node), bucket, ByteString.copyFrom(key), ByteString.copyFrom(context),
        ByteString.copyFrom(value), w, done));
  }

  @Override
  public Outcome delete(String node, String bucket, byte[] key, byte[] context, int w) {
    return call(done -> client.delete(
        NodeId.of(node), bucket, ByteString.copyFrom(key), ByteString.copyFrom(context), w, done));
  }

  /** Sends one request and runs the queue until it completes (the client times out at the latest). */
  private Outcome call(Consumer<Consumer<SimulatedHistory.Op>> send) {
    SimulatedHistory.Op[] done = new SimulatedHistory.Op[1];
    send.accept(op -> done[0] = op);
    if (!cluster.runUntil(() -> done[0] != null, 1, cluster.config().clientTimeoutMillis() + 1_000)) {
      throw new AssertionError(name() + ": the simulated client never completed its request");
    }
    return outcome(done[0].response());
  }

  static Outcome outcome(Envelope response) {
    if (response.hasError()) {
      Outcome.Status status = switch (response.getError().getCode()) {
        case QUORUM_UNAVAILABLE -> Outcome.Status.QUORUM_UNAVAILABLE;
        case TIMEOUT -> Outcome.Status.TIMEOUT;
        case OVERLOADED -> Outcome.Status.OVERLOADED;
        case INVALID_ARGUMENT, BAD_CONTEXT, VALUE_TOO_LARGE -> Outcome.Status.INVALID;
        default -> Outcome.Status.ERROR;
      };
      return Outcome.failed(status, response.getError().getCode() + ": " + response.getError().getMessage());
    }
    if (response.hasGetResponse()) {
      GetResponse g = response.getGetResponse();
      return Outcome.ok(
          g.getValuesList().stream().map(ByteString::toByteArray).toList(), g.getContext().toByteArray(),
          g.getDeleted());
    }
    if (response.hasPutResponse()) {
      return Outcome.written(response.getPutResponse().getContext().toByteArray());
    }
    if (response.hasDeleteResponse()) {
      return Outcome.written(response.getDeleteResponse().getContext().toByteArray());
    }
    return Outcome.failed(Outcome.Status.ERROR, "unexpected answer " + response.getBodyCase());
  }

  /** The node's storage read directly, as its local get would (the node must be up). */
  @Override
  public Outcome localGet(String node, String bucket, byte[] key) {
    if (!cluster.isUp(NodeId.of(node))) {
      return Outcome.failed(Outcome.Status.ERROR, node + " is down");
    }
    DataKey dataKey = new DataKey(cluster.ring().partitionOf(bucket, key), bucket, key);
    SiblingSet stored = FailureScenarios.storedOn(cluster, NodeId.of(node), dataKey);
    List<byte[]> values = new ArrayList<>();
    for (Versioned v : stored.versions()) {
      if (!v.tombstone()) {
        values.add(v.value());
      }
    }
    return Outcome.ok(values, new byte[0], values.isEmpty() && !stored.versions().isEmpty());
  }

  @Override
  public void kill(String node) {
    cluster.crash(NodeId.of(node));
  }

  @Override
  public void restart(String node) {
    cluster.restart(NodeId.of(node));
  }

  @Override
  public void pause(String node) {
    cluster.pause(NodeId.of(node));
  }

  @Override
  public void resume(String node) {
    cluster.resume(NodeId.of(node));
  }

  @Override
  public void partition(Collection<String> side) {
    cluster.network().partition(side.stream().map(NodeId::of).toList());
    cluster.note("partition " + side);
  }

  @Override
  public void heal() {
    cluster.network().heal();
    cluster.note("heal");
  }

  @Override
  public boolean believesUp(String observer, String node) {
    return cluster.isUp(NodeId.of(observer)) && cluster.node(NodeId.of(observer)).protocol().isUp(NodeId.of(node));
  }

  @Override
  public long hintsPending() {
    return FailureScenarios.totalHints(cluster);
  }

  @Override
  public boolean await(Duration within, BooleanSupplier condition) {
    return cluster.runUntil(condition, 10, within.toMillis());
  }

  @Override
  public void runFor(Duration duration) {
    cluster.runFor(duration.toMillis());
  }

  @Override
  public void close() {
    if (cluster.nodeIds().stream().allMatch(cluster::isUp)) {
      cluster.runFor(3_000); // every replica write and hint delivered, the slow tail included
      List<String> problems = new ArrayList<>(cluster.violations());
      problems.addAll(FailureScenarios.homeReplicaProblems(cluster));
      SimulationAssertions.assertNoProblems(cluster, problems);
    } else {
      SimulationAssertions.assertNoProblems(cluster, new ArrayList<>(cluster.violations()));
    }
  }
}

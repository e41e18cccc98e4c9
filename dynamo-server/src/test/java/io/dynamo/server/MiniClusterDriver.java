package io.dynamo.server;

import io.dynamo.client.Context;
import io.dynamo.client.ChangeKind;
import io.dynamo.client.ClusterPlan;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.DynamoException;
import io.dynamo.client.GetResult;
import io.dynamo.client.HintQueue;
import io.dynamo.client.InvalidRequestException;
import io.dynamo.client.NodeStatus;
import io.dynamo.client.OverloadedException;
import io.dynamo.client.QuorumUnavailableException;
import io.dynamo.client.RequestOptions;
import io.dynamo.client.RequestTimeoutException;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;
import io.dynamo.testkit.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The shared scenarios' {@link ClusterDriver} over a {@link MiniCluster}: real Netty and RocksDB
 * nodes in this JVM, with the failure detector of {@code FailurePathIT} (heartbeats every 100 ms,
 * a silent node suspected after about a second) and the default request timeout. {@link #kill} closes a node (in one JVM there is
 * no {@code kill -9}; the multi-process harness has it); {@link #await} polls with Awaitility.
 * Data lives under {@code target/scenarios/} and is deleted on close.
 */
public final class MiniClusterDriver implements ClusterDriver {
  /**
   * The failure detector of the failure-path ITs; the request timeout stays at its default (5 s),
   * since a cold node on a loaded machine can take over 2 s to answer its first R = 3 read.
   */
  public static final Consumer<Properties> FAST_DETECTION =
      p -> {
        p.setProperty("failure-detector.heartbeat-interval", "100ms");
        p.setProperty("failure-detector.acceptable-pause", "1s");
      };

  private static final Set<Capability> CAPABILITIES =
      Set.copyOf(EnumSet.of(
          Capability.KILL_RESTART, Capability.LOCAL_GET, Capability.HINTS, Capability.FAILURE_VIEW,
          Capability.LEAVE, Capability.REMOVE));

  private final MiniCluster cluster;
  private final Path dir;
  private final String specName;
  private final Ring ring;
  private final DynamoClient[] clients;

  private MiniClusterDriver(MiniCluster cluster, Path dir, ClusterSpec spec) {
    this.cluster = cluster;
    this.dir = dir;
    this.specName = spec.name();
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < spec.nodes(); i++) {
      members.add(Member.of(MiniCluster.id(i), 1));
    }
    this.ring = Ring.create(members, 64, 3);
    this.clients = new DynamoClient[spec.nodes()];
  }

  public static MiniClusterDriver start(ClusterSpec spec) {
    spec.assumeSupportedBy("MiniCluster", CAPABILITIES);
    Path dir;
    try {
      Path parent = Files.createDirectories(Path.of("target", "scenarios"));
      dir = Files.createTempDirectory(parent, spec.name() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    MiniClusterDriver driver = new MiniClusterDriver(MiniCluster.start(spec.nodes(), dir, FAST_DETECTION), dir, spec);
    driver.awaitReady("scenarios", Duration.ofSeconds(60));
    return driver;
  }

  public MiniCluster cluster() {
    return cluster;
  }

  @Override
  public String name() {
    return "MiniCluster " + specName + " in " + dir;
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  @Override
  public List<String> nodes() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      out.add(MiniCluster.id(i));
    }
    return out;
  }

  @Override
  public int replicas(String bucket) {
    return 3;
  }

  /** The key's owners in the ring of the first running node (the file's ring before it runs). */
  @Override
  public List<String> homeReplicas(String bucket, byte[] key) {
    Ring current = ring;
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.node(i) != null) {
        current = cluster.node(i).view().ring();
        break;
      }
    }
    return current.preferenceList(bucket, key, 3).stream().map(NodeId::value).toList();
  }

  @Override
  public void leave(String node) {
    change(ChangeKind.LEAVE, node);
  }

  @Override
  public void remove(String node) {
    change(ChangeKind.REMOVE, node);
  }

  /**
   * Stages and commits {@code kind} of {@code node} on the claimant, as `dynamo leave NODE
   * --commit` does: the claimant is whoever the running nodes name, once one is reachable.
   */
  private void change(ChangeKind kind, String node) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> {
          String claimant = null;
          for (int i = 0; i < cluster.size() && claimant == null; i++) {
            if (cluster.node(i) != null) {
              claimant = client(MiniCluster.id(i)).ringAsync(0).join().claimant();
            }
          }
          if (claimant == null || claimant.isEmpty() || cluster.node(index(claimant)) == null) {
            return false;
          }
          DynamoClient admin = client(claimant);
          ClusterPlan plan = admin.stageAsync(0, kind, node).join();
          if (!plan.problems().isEmpty()) {
            admin.stageAsync(0, ChangeKind.CLEAR, "").join();
            return false;
          }
          admin.commitAsync(0, plan.planHash()).join();
          return true;
        });
  }

  private static int index(String node) {
    return Integer.parseInt(node.substring(1)) - 1;
  }

  /** A client of node {@code node} only, kept until the node stops. */
  private synchronized DynamoClient client(String node) {
    int i = index(node);
    if (clients[i] == null) {
      clients[i] =
          DynamoClient.builder().routing(DynamoClient.Routing.SERVER).node(cluster.clientAddress(i)).timeout(Duration.ofSeconds(20)).build();
    }
    return clients[i];
  }

  private synchronized void dropClient(String node) {
    int i = index(node);
    if (clients[i] != null) {
      clients[i].close();
      clients[i] = null;
    }
  }

  @Override
  public Outcome get(String node, String bucket, byte[] key, int r) {
    return call(() -> result(client(node).get(bucket, key, RequestOptions.r(r))));
  }

  @Override
  public Outcome put(String node, String bucket, byte[] key, byte[] context, byte[] value, int w) {
    return call(() -> Outcome.written(
        client(node).put(bucket, key, Context.fromBytes(context), value, RequestOptions.w(w)).toBytes()));
  }

  @Override
  public Outcome delete(String node, String bucket, byte[] key, byte[] context, int w) {
    return call(() -> Outcome.written(
        client(node).delete(bucket, key, Context.fromBytes(context), RequestOptions.w(w)).toBytes()));
  }

  @Override
  public Outcome localGet(String node, String bucket, byte[] key) {
    return call(() -> result(client(node).localGetAsync(0, bucket, key).join()));
  }

  static Outcome result(GetResult r) {
    return Outcome.ok(r.values(), r.context().toBytes(), r.deleted());
  }

  /** Runs a client call, turning the client's typed errors into outcomes. */
  static Outcome call(Supplier<Outcome> request) {
    try {
      return request.get();
    } catch (CompletionException e) {
      return failure(e.getCause() == null ? e : e.getCause());
    } catch (RuntimeException e) {
      return failure(e);
    }
  }

  static Outcome failure(Throwable e) {
    Outcome.Status status;
    if (e instanceof QuorumUnavailableException) {
      status = Outcome.Status.QUORUM_UNAVAILABLE;
    } else if (e instanceof RequestTimeoutException) {
      status = Outcome.Status.TIMEOUT;
    } else if (e instanceof OverloadedException) {
      status = Outcome.Status.OVERLOADED;
    } else if (e instanceof InvalidRequestException) {
      status = Outcome.Status.INVALID;
    } else if (e instanceof DynamoException) {
      status = Outcome.Status.ERROR;
    } else {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
    return Outcome.failed(status, e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  @Override
  public void kill(String node) {
    dropClient(node);
    cluster.stopNode(index(node));
  }

  @Override
  public void restart(String node) {
    dropClient(node);
    cluster.startNode(index(node));
  }

  @Override
  public boolean believesUp(String observer, String node) {
    try {
      for (NodeStatus.Member m : client(observer).statusAsync(0).join().members()) {
        if (m.nodeId().equals(node)) {
          return m.up();
        }
      }
      return false;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public long hintsPending() {
    long total = 0;
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.node(i) != null) {
        for (HintQueue q : client(MiniCluster.id(i)).hintsAsync(0).join()) {
          total += q.count();
        }
      }
    }
    return total;
  }

  @Override
  public boolean await(Duration within, BooleanSupplier condition) {
    try {
      Awaitility.await()
          .atMost(within)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(condition::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() {
    for (String node : nodes()) {
      dropClient(node);
    }
    cluster.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // left under target/, which mvn clean removes
    }
  }
}

package io.dynamo.faults;

import io.dynamo.client.Context;
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
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;
import io.dynamo.testkit.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The shared scenarios' {@link ClusterDriver} over a {@link ProcessCluster}: real node processes
 * started by {@code scripts/cluster.sh} with its fast failure detector; {@link #kill} is {@code
 * kill -9}, {@link #pause} SIGSTOP. Requests through a node go over a client of that node only;
 * operator calls (local get, hints, status) over the cluster's client of every node. {@link
 * #await} polls with Awaitility. The harness's own checkers run through it too ({@link
 * DurabilityChecker}, {@link HomeReplicaChecker}), wrapping an existing cluster ({@link #over}).
 */
public final class ProcessClusterDriver implements ClusterDriver {
  private static final Set<Capability> CAPABILITIES =
      Set.copyOf(EnumSet.of(
          Capability.KILL_RESTART, Capability.PAUSE, Capability.LOCAL_GET, Capability.HINTS,
          Capability.FAILURE_VIEW));

  private final ProcessCluster cluster;
  private final boolean owned;
  private final Map<String, DynamoClient> clients = new HashMap<>();

  private ProcessClusterDriver(ProcessCluster cluster, boolean owned) {
    this.cluster = cluster;
    this.owned = owned;
  }

  /** Starts a cluster as {@code spec} asks; closing the driver stops it. */
  public static ProcessClusterDriver start(ClusterSpec spec) {
    spec.assumeSupportedBy("ProcessCluster", CAPABILITIES);
    ProcessClusterDriver driver = new ProcessClusterDriver(
        ProcessCluster.builder()
            .name(spec.name())
            .nodes(spec.nodes())
            // The default request timeout rather than the harness's 2 s: a cold node on a loaded
            // machine can take longer than that to answer its first R = 3 read.
            .set("request.timeout", "5s")
            .clientTimeout(Duration.ofSeconds(20))
            .start(),
        true);
    driver.awaitReady("scenarios", Duration.ofSeconds(60));
    return driver;
  }

  /** A driver over a cluster the caller owns; closing the driver leaves it running. */
  public static ProcessClusterDriver over(ProcessCluster cluster) {
    return new ProcessClusterDriver(cluster, false);
  }

  public ProcessCluster cluster() {
    return cluster;
  }

  @Override
  public String name() {
    return "ProcessCluster in " + cluster.dir();
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  @Override
  public List<String> nodes() {
    return cluster.ids();
  }

  @Override
  public int replicas(String bucket) {
    return 3;
  }

  @Override
  public List<String> homeReplicas(String bucket, byte[] key) {
    return cluster.homeReplicas(bucket, new String(key, StandardCharsets.UTF_8));
  }

  private synchronized DynamoClient client(String node) {
    return clients.computeIfAbsent(node, n -> cluster.clientOf(List.of(n)));
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
    return call(() -> result(cluster.client().localGetAsync(cluster.index(node), bucket, key).join()));
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
    } catch (DynamoException e) {
      return failure(e);
    }
  }

  private static Outcome failure(Throwable e) {
    Outcome.Status status;
    if (e instanceof QuorumUnavailableException) {
      status = Outcome.Status.QUORUM_UNAVAILABLE;
    } else if (e instanceof RequestTimeoutException) {
      status = Outcome.Status.TIMEOUT;
    } else if (e instanceof OverloadedException) {
      status = Outcome.Status.OVERLOADED;
    } else if (e instanceof InvalidRequestException) {
      status = Outcome.Status.INVALID;
    } else {
      status = Outcome.Status.ERROR;
    }
    return Outcome.failed(status, e.toString());
  }

  @Override
  public void kill(String node) {
    cluster.kill(node);
  }

  @Override
  public void restart(String node) {
    cluster.restart(node);
  }

  @Override
  public void pause(String node) {
    cluster.pause(node);
  }

  @Override
  public void resume(String node) {
    cluster.resume(node);
  }

  @Override
  public boolean believesUp(String observer, String node) {
    try {
      for (NodeStatus.Member m : cluster.client().statusAsync(cluster.index(observer)).join().members()) {
        if (m.nodeId().equals(node)) {
          return m.up();
        }
      }
      return false;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Hints held across the nodes that answer. */
  @Override
  public long hintsPending() {
    long total = 0;
    for (String id : cluster.ids()) {
      try {
        for (HintQueue q : cluster.client().hintsAsync(cluster.index(id)).join()) {
          total += q.count();
        }
      } catch (RuntimeException e) {
        // down: its queue is unknown until it is back
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
          .pollInterval(Duration.ofMillis(100))
          .until(condition::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (owned) {
      cluster.close();
    }
  }
}

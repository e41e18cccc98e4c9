package io.dynamo.client;

import com.google.protobuf.ByteString;
import io.dynamo.client.impl.AdminAnswers;
import io.dynamo.client.impl.ClientMetrics;
import io.dynamo.client.impl.ClientMetrics.Op;
import io.dynamo.client.impl.ClusterMap;
import io.dynamo.client.impl.Endpoint;
import io.dynamo.client.impl.Endpoints;
import io.dynamo.client.impl.RequestSender;
import io.dynamo.client.impl.Responses;
import io.dynamo.client.impl.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import io.dynamo.netty.NettyRuntime;
import io.dynamo.proto.v1.CommitRequest;
import io.dynamo.proto.v1.DeleteRequest;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.GetResponse;
import io.dynamo.proto.v1.HintsRequest;
import io.dynamo.proto.v1.LocalGetRequest;
import io.dynamo.proto.v1.MemberStatus;
import io.dynamo.proto.v1.PlanRequest;
import io.dynamo.proto.v1.PutRequest;
import io.dynamo.proto.v1.Quorum;
import io.dynamo.proto.v1.RouteNode;
import io.dynamo.proto.v1.RouteRequest;
import io.dynamo.proto.v1.RingRequest;
import io.dynamo.proto.v1.RouteResponse;
import io.dynamo.proto.v1.StageChangeRequest;
import io.dynamo.proto.v1.StatusRequest;
import io.dynamo.proto.v1.StatusResponse;
import io.dynamo.proto.v1.TransfersRequest;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client of a Dynamo cluster. Every operation has an async form returning a {@link
 * CompletableFuture} and a blocking form that waits for it; errors are {@link DynamoException}
 * subtypes.
 *
 * <p><b>Routing.</b> By default the client is partition-aware ({@link Routing#PARTITION_AWARE}): it
 * loads the cluster map (members, addresses, each partition's owners) from any configured node,
 * keeps it current (again when an answer carries a newer ring version, and every {@link
 * Builder#mapRefresh}), and sends each get straight to a replica of its key and each put or delete
 * to the first home replica it believes up, which coordinates it there: no request pays a
 * forwarding hop. Until a map is loaded, and with {@link Routing#SERVER}, requests go to the
 * configured nodes in turn and the nodes route them.
 *
 * <p><b>Retries.</b> Every put and delete carries a write id the client chooses once per call (16
 * random bytes) and the deadline of the attempt (after which a node refuses to start it). That
 * makes writes safe to retry: a request that could not be sent (connection refused, write failed)
 * or that got no answer within the attempt timeout is sent again, with the same id, to the next
 * node, as long as the deadline allows; copies the attempts make are reconciled into one version by
 * the nodes. Reads are retried the same way. A node that failed to answer is avoided for a short
 * penalty time. Answers, errors included, are final: a node that answered decided.
 *
 * <p><b>Hedged reads</b> ({@link Builder#hedgeReads}): a get without an answer after a percentile of
 * recent get latency is also sent to another replica, and the first answer wins; a budget keeps
 * hedges to a small fraction of gets. Never for writes. <b>Session guarantees</b>: see {@link
 * #session}.
 *
 * <pre>{@code
 * try (DynamoClient client = DynamoClient.builder().node("127.0.0.1:7100").build()) {
 *   GetResult r = client.get("users", "alice");
 *   client.put("users", "alice", r.context(), "new value".getBytes(UTF_8));
 * }
 * }</pre>
 */
public final class DynamoClient implements AutoCloseable {
  /** How requests find their node. */
  public enum Routing {
    /** Each request goes straight to a replica of its key (the default). */
    PARTITION_AWARE,
    /** Requests go to the configured nodes in turn; a node that is no replica forwards them. */
    SERVER
  }

  private final EventLoopGroup group;
  private final Endpoints endpoints;
  /** The configured nodes, in order: what operator requests address by index. */
  private final List<Endpoint> seeds;
  private final Topology topology;
  private final RequestSender sender;
  private final Duration timeout;
  private final SiblingResolver resolver;
  private final ClientMetrics metrics;
  private final ScheduledFuture<?> mapRefresh;

  /** Length of a write id: 128 random bits, so two writes never share one by chance. */
  static final int WRITE_ID_BYTES = 16;

  private DynamoClient(Builder b) {
    this.group = NettyRuntime.newGroup(b.ioThreads, "dynamo-client");
    this.timeout = b.timeout;
    this.resolver = b.resolver;
    this.metrics = new ClientMetrics(b.registry != null ? b.registry : new SimpleMeterRegistry());
    this.endpoints =
        new Endpoints(b.addresses, group, b.maxFrameBytes, b.maxInFlightPerNode, b.penalty.toNanos());
    List<Endpoint> list = new ArrayList<>();
    List<String> seedAddresses = new ArrayList<>();
    for (InetSocketAddress a : b.addresses) {
      Endpoint e = endpoints.of(a);
      list.add(e);
      seedAddresses.add(e.address());
    }
    this.seeds = List.copyOf(list);
    this.topology = new Topology(endpoints, seedAddresses, b.attemptTimeout, metrics::mapLoad);
    this.sender =
        new RequestSender(
            group, endpoints, seeds, topology, b.routing == Routing.PARTITION_AWARE,
            b.attemptTimeout, metrics,
            b.hedgePercentile > 0
                ? new RequestSender.Hedging(b.hedgePercentile, b.hedgeFraction, b.minHedgeDelay)
                : null);
    if (b.routing == Routing.PARTITION_AWARE) {
      topology.refresh();
      long every = b.mapRefresh.toMillis();
      this.mapRefresh = group.next().scheduleAtFixedRate(topology::refresh, every, every, TimeUnit.MILLISECONDS);
    } else {
      this.mapRefresh = null;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Completes once the first cluster map is loaded (requests are partition-aware from then on);
   * never completes with {@link Routing#SERVER}.
   */
  public CompletableFuture<Void> mapLoaded() {
    return topology.firstMap().thenApply(m -> null);
  }

  /**
   * Waits up to {@code timeout} for the first cluster map; false if none came (requests then go
   * to the configured nodes until one loads), or with {@link Routing#SERVER}.
   */
  public boolean awaitMap(Duration timeout) throws InterruptedException {
    try {
      topology.firstMap().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  /** The ring version of the cluster map this client routes by; 0 before one is loaded. */
  public long ringVersion() {
    ClusterMap m = topology.map();
    return m == null ? 0 : m.ringVersion();
  }

  /**
   * The members the cluster map names, each with whether the node it came from believed it up;
   * empty before a map is loaded.
   */
  public Map<String, Boolean> mapMembers() {
    ClusterMap m = topology.map();
    Map<String, Boolean> out = new java.util.LinkedHashMap<>();
    if (m != null) {
      for (ClusterMap.Member member : m.members()) {
        out.put(member.nodeId(), member.up());
      }
    }
    return out;
  }

  /** The client's meters (the registry given to the builder, or its own). */
  public MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  ClientMetrics metrics() {
    return metrics;
  }

  Duration timeout() {
    return timeout;
  }

  /**
   * A session with the given guarantees over this client (Terry et al., "Session Guarantees for
   * Weakly Consistent Replicated Data", 1994): with {@link SessionGuarantee#READ_YOUR_WRITES}, a get
   * through the session returns the session's own writes of the key or later versions; with
   * {@link SessionGuarantee#MONOTONIC_READS}, never a version older than one it returned before.
   * An answer that does not cover them is read again from other replicas, with R raised to N,
   * until one does or the deadline passes ({@link StaleReadException}). The session remembers the
   * versions of its {@code maxKeys} most recently used keys; for a key it has forgotten it
   * guarantees nothing. Costs nothing while replicas are in step; see docs/client.md.
   */
  public Session session(Set<SessionGuarantee> guarantees, int maxKeys) {
    return new Session(this, guarantees, maxKeys);
  }

  /** A session with both guarantees, remembering 10,000 keys. */
  public Session session() {
    return session(EnumSet.allOf(SessionGuarantee.class), 10_000);
  }

  // ---- async ---------------------------------------------------------------------------------

  public CompletableFuture<GetResult> getAsync(String bucket, byte[] key, RequestOptions options) {
    return timed(Op.GET, readAsync(bucket, key, options, 0, -1))
        .thenApply(e -> toResult(e.getGetResponse(), true));
  }

  /**
   * A get with read quorum {@code r} (0: the options'), trying the key's replicas from the {@code
   * first}-th (-1: a random one): a session's re-read asks the replicas one after another.
   */
  CompletableFuture<Envelope> readAsync(
      String bucket, byte[] key, RequestOptions options, int r, int first) {
    Envelope.Builder request =
        Envelope.newBuilder()
            .setGetRequest(
                GetRequest.newBuilder()
                    .setBucket(bucket)
                    .setKey(ByteString.copyFrom(key))
                    .setQuorum(Quorum.newBuilder().setR(r > 0 ? r : options.r())));
    // A session's re-read with R raised is not hedged: it asks for more replicas already.
    return sender.read(request, timeoutOf(options), bucket, key, first, r == 0);
  }

  /** The bucket's N as the cluster map says; 0 without a map. */
  int replicationFactor(String bucket) {
    ClusterMap m = topology.map();
    return m == null ? 0 : m.n(bucket);
  }

  /**
   * Writes {@code value}, replacing the versions {@code context} was read from. Returns the new
   * version's context, for a next write without re-reading; {@link Context#NONE} when the write now
   * stands beside concurrent siblings (read the key to see and reconcile them).
   */
  public CompletableFuture<Context> putAsync(
      String bucket, byte[] key, Context context, byte[] value, RequestOptions options) {
    return writeAsync(bucket, key, context, value, options)
        .thenApply(e -> Context.fromBytes(e.getPutResponse().getContext().toByteArray()));
  }

  /** A put, answering the whole response (a session needs the version written). */
  CompletableFuture<Envelope> writeAsync(
      String bucket, byte[] key, Context context, byte[] value, RequestOptions options) {
    Envelope.Builder request =
        Envelope.newBuilder()
            .setPutRequest(
                PutRequest.newBuilder()
                    .setBucket(bucket)
                    .setKey(ByteString.copyFrom(key))
                    .setContext(ByteString.copyFrom(contextBytes(context)))
                    .setValue(ByteString.copyFrom(value))
                    .setQuorum(Quorum.newBuilder().setW(options.w()))
                    .setWriteId(newWriteId()));
    return timed(
        Op.PUT, sender.write(request, timeoutOf(options), Envelope.BodyCase.PUT_RESPONSE, bucket, key, Op.PUT));
  }

  /**
   * Deletes the versions {@code context} was read from. Without a context the key is read first
   * and every version found is deleted; if nothing is found, nothing is written.
   */
  public CompletableFuture<Context> deleteAsync(
      String bucket, byte[] key, Context context, RequestOptions options) {
    return removeAsync(bucket, key, context, options)
        .thenApply(e -> e == null
            ? Context.NONE
            : Context.fromBytes(e.getDeleteResponse().getContext().toByteArray()));
  }

  /** A delete, answering the whole response; null when there was nothing to delete. */
  CompletableFuture<Envelope> removeAsync(
      String bucket, byte[] key, Context context, RequestOptions options) {
    if (context == null || context.isEmpty()) {
      return getAsync(bucket, key, options)
          .thenCompose(
              found ->
                  found.context().isEmpty()
                      ? CompletableFuture.completedFuture(null)
                      : removeAsync(bucket, key, found.context(), options));
    }
    Envelope.Builder request =
        Envelope.newBuilder()
            .setDeleteRequest(
                DeleteRequest.newBuilder()
                    .setBucket(bucket)
                    .setKey(ByteString.copyFrom(key))
                    .setContext(ByteString.copyFrom(context.toBytes()))
                    .setQuorum(Quorum.newBuilder().setW(options.w()))
                    .setWriteId(newWriteId()));
    return timed(
        Op.DELETE,
        sender.write(request, timeoutOf(options), Envelope.BodyCase.DELETE_RESPONSE, bucket, key, Op.DELETE));
  }

  /** The status of one node (by index in the configured list). */
  public CompletableFuture<NodeStatus> statusAsync(int node) {
    Envelope.Builder request = Envelope.newBuilder().setStatusRequest(StatusRequest.getDefaultInstance());
    return seed(node).connection().request(request, timeout)
        .thenApply(e -> toStatus(Responses.expect(e, Envelope.BodyCase.STATUS_RESPONSE).getStatusResponse()));
  }

  // ---- operator requests, answered by one node ----------------------------------------------

  /** Where {@code key} lives, as node {@code node} (index in the configured list) sees it. */
  public CompletableFuture<Route> routeAsync(int node, String bucket, byte[] key) {
    Envelope.Builder request =
        Envelope.newBuilder()
            .setRouteRequest(RouteRequest.newBuilder().setBucket(bucket).setKey(ByteString.copyFrom(key)));
    return seed(node).connection().request(request, timeout)
        .thenApply(e -> toRoute(Responses.expect(e, Envelope.BodyCase.ROUTE_RESPONSE).getRouteResponse()));
  }

  /** Node {@code node}'s own copy of {@code key}, without asking any other replica. */
  public CompletableFuture<GetResult> localGetAsync(int node, String bucket, byte[] key) {
    Envelope.Builder request =
        Envelope.newBuilder()
            .setLocalGetRequest(
                LocalGetRequest.newBuilder().setBucket(bucket).setKey(ByteString.copyFrom(key)));
    return seed(node).connection().request(request, timeout)
        .thenApply(
            e -> toResult(Responses.expect(e, Envelope.BodyCase.GET_RESPONSE).getGetResponse(), false));
  }

  /** The hints node {@code node} holds, per home replica. */
  public CompletableFuture<List<HintQueue>> hintsAsync(int node) {
    Envelope.Builder request = Envelope.newBuilder().setHintsRequest(HintsRequest.getDefaultInstance());
    return seed(node).connection().request(request, timeout)
        .thenApply(
            e -> {
              List<HintQueue> out = new ArrayList<>();
              for (io.dynamo.proto.v1.HintQueue q :
                  Responses.expect(e, Envelope.BodyCase.HINTS_RESPONSE).getHintsResponse().getQueuesList()) {
                out.add(new HintQueue(q.getTarget(), q.getCount(), Duration.ofMillis(q.getOldestAgeMillis())));
              }
              return out;
            });
  }

  // ---- membership (docs/operations.md, docs/decisions/0007) ------------------------------------

  /**
   * Stages a membership change on node {@code node}; answers the plan of everything staged there.
   * {@code nodeId} is ignored for {@link ChangeKind#CLEAR}.
   */
  public CompletableFuture<ClusterPlan> stageAsync(int node, ChangeKind kind, String nodeId) {
    StageChangeRequest.Kind wire = StageChangeRequest.Kind.valueOf(kind.name());
    Envelope.Builder request =
        Envelope.newBuilder()
            .setStageChangeRequest(
                StageChangeRequest.newBuilder().setKind(wire).setNodeId(nodeId == null ? "" : nodeId));
    return seed(node).connection().request(request, timeout)
        .thenApply(e -> AdminAnswers.plan(Responses.expect(e, Envelope.BodyCase.PLAN_RESPONSE).getPlanResponse()));
  }

  /** The plan of the changes staged on node {@code node}. */
  public CompletableFuture<ClusterPlan> planAsync(int node) {
    Envelope.Builder request = Envelope.newBuilder().setPlanRequest(PlanRequest.getDefaultInstance());
    return seed(node).connection().request(request, timeout)
        .thenApply(e -> AdminAnswers.plan(Responses.expect(e, Envelope.BodyCase.PLAN_RESPONSE).getPlanResponse()));
  }

  /**
   * Commits the plan with hash {@code planHash} on node {@code node}, which must be the claimant;
   * answers the new ring version. Refused with PLAN_CHANGED if the plan is no longer that one.
   */
  public CompletableFuture<Long> commitAsync(int node, long planHash) {
    Envelope.Builder request =
        Envelope.newBuilder().setCommitRequest(CommitRequest.newBuilder().setPlanHash(planHash));
    return seed(node).connection().request(request, timeout)
        .thenApply(e -> Responses.expect(e, Envelope.BodyCase.COMMIT_RESPONSE).getCommitResponse().getRingVersion());
  }

  /** The ring as node {@code node} holds it. */
  public CompletableFuture<RingLayout> ringAsync(int node) {
    Envelope.Builder request = Envelope.newBuilder().setRingRequest(RingRequest.getDefaultInstance());
    return seed(node).connection().request(request, timeout)
        .thenApply(e -> AdminAnswers.ring(Responses.expect(e, Envelope.BodyCase.RING_RESPONSE).getRingResponse()));
  }

  /** The partition copies node {@code node} is receiving or has received since it started. */
  public CompletableFuture<List<TransferStatus>> transfersAsync(int node) {
    Envelope.Builder request =
        Envelope.newBuilder().setTransfersRequest(TransfersRequest.getDefaultInstance());
    return seed(node).connection().request(request, timeout)
        .thenApply(
            e -> AdminAnswers.transfers(
                Responses.expect(e, Envelope.BodyCase.TRANSFERS_RESPONSE).getTransfersResponse()));
  }

  /**
   * Asks node {@code node} to exchange every partition it owns (or only {@code partition}, when not
   * null) with the other owners now; answers the partitions queued. With {@code everyMemberAsked}
   * (the caller asks every member), the node exchanges only with the owners after it in each
   * partition's owner list, so each pair of owners exchanges once.
   */
  public CompletableFuture<List<Integer>> repairAsync(
      int node, Integer partition, boolean everyMemberAsked) {
    io.dynamo.proto.v1.RepairRequest.Builder r =
        io.dynamo.proto.v1.RepairRequest.newBuilder().setEveryMemberAsked(everyMemberAsked);
    if (partition != null) {
      r.setHasPartition(true).setPartition(partition);
    }
    return seed(node).connection().request(Envelope.newBuilder().setRepairRequest(r), timeout)
        .thenApply(e -> List.copyOf(
            Responses.expect(e, Envelope.BodyCase.REPAIR_RESPONSE).getRepairResponse().getQueuedList()));
  }

  /** Anti-entropy as node {@code node} reports it. */
  public CompletableFuture<RepairStatus> repairStatusAsync(int node) {
    Envelope.Builder request =
        Envelope.newBuilder().setRepairStatusRequest(
            io.dynamo.proto.v1.RepairStatusRequest.getDefaultInstance());
    return seed(node).connection().request(request, timeout)
        .thenApply(e -> {
          io.dynamo.proto.v1.RepairStatusResponse r =
              Responses.expect(e, Envelope.BodyCase.REPAIR_STATUS_RESPONSE).getRepairStatusResponse();
          List<RepairStatus.Partition> parts = new java.util.ArrayList<>();
          for (io.dynamo.proto.v1.PartitionRepairStatus p : r.getPartitionsList()) {
            parts.add(new RepairStatus.Partition(
                p.getPartition(), p.getRoot(), p.getTreeReady(), p.getMillisSinceFullExchange(),
                p.getExchanges(), p.getKeysCompared(), p.getKeysRepaired(), p.getBytesSent(),
                p.getTreeRebuilds(), p.getTombstonesPurged(), p.getPending(), p.getOwned()));
          }
          return new RepairStatus(
              r.getNodeId(), r.getRingVersion(), r.getPending(), r.getExchangesRunning(),
              r.getAnswerBytesSent(), parts);
        });
  }

  // ---- blocking ------------------------------------------------------------------------------

  public GetResult get(String bucket, String key) {
    return get(bucket, utf8(key), RequestOptions.DEFAULT);
  }

  public GetResult get(String bucket, byte[] key, RequestOptions options) {
    return await(getAsync(bucket, key, options));
  }

  public Context put(String bucket, String key, Context context, byte[] value) {
    return put(bucket, utf8(key), context, value, RequestOptions.DEFAULT);
  }

  public Context put(
      String bucket, byte[] key, Context context, byte[] value, RequestOptions options) {
    return await(putAsync(bucket, key, context, value, options));
  }

  public Context delete(String bucket, String key, Context context) {
    return delete(bucket, utf8(key), context, RequestOptions.DEFAULT);
  }

  public Context delete(String bucket, byte[] key, Context context, RequestOptions options) {
    return await(deleteAsync(bucket, key, context, options));
  }

  public NodeStatus status() {
    return await(statusAsync(0));
  }

  public Route route(int node, String bucket, String key) {
    return await(routeAsync(node, bucket, utf8(key)));
  }

  public GetResult localGet(int node, String bucket, String key) {
    return await(localGetAsync(node, bucket, utf8(key)));
  }

  public List<HintQueue> hints(int node) {
    return await(hintsAsync(node));
  }

  @Override
  public void close() {
    if (mapRefresh != null) {
      mapRefresh.cancel(false);
    }
    endpoints.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  // ---- internals -----------------------------------------------------------------------------

  private Endpoint seed(int index) {
    return seeds.get(index);
  }

  /** Records the operation's latency and outcome when {@code f} completes. */
  private <T> CompletableFuture<T> timed(Op op, CompletableFuture<T> f) {
    long started = System.nanoTime();
    return f.whenComplete((r, e) -> {
      long took = System.nanoTime() - started;
      metrics.record(op, e == null ? "ok" : outcomeOf(unwrap(e)), took);
      if (e == null && op == Op.GET) {
        sender.getAnswered(took);
      }
    });
  }

  private static String outcomeOf(Throwable t) {
    if (t instanceof DynamoException d) {
      return d.code().toLowerCase(java.util.Locale.ROOT);
    }
    return "internal";
  }

  private static ByteString newWriteId() {
    byte[] id = new byte[WRITE_ID_BYTES];
    ThreadLocalRandom.current().nextBytes(id);
    return ByteString.copyFrom(id);
  }

  /** @param resolve apply the sibling resolver (not for an operator's look at one replica) */
  GetResult toResult(GetResponse response, boolean resolve) {
    List<byte[]> values = new ArrayList<>(response.getValuesCount());
    for (ByteString v : response.getValuesList()) {
      values.add(v.toByteArray());
    }
    if (resolve && values.size() > 1 && resolver != null) {
      values = List.of(Objects.requireNonNull(resolver.resolve(List.copyOf(values)), "resolver result"));
    }
    return new GetResult(values, Context.fromBytes(response.getContext().toByteArray()), response.getDeleted());
  }

  private static Route toRoute(RouteResponse r) {
    List<Route.Node> home = new ArrayList<>();
    for (RouteNode n : r.getPreferenceListList()) {
      home.add(new Route.Node(n.getNodeId(), n.getUp(), n.getStandsInFor()));
    }
    List<Route.Node> targets = new ArrayList<>();
    for (RouteNode n : r.getTargetsList()) {
      targets.add(new Route.Node(n.getNodeId(), n.getUp(), n.getStandsInFor()));
    }
    return new Route(r.getPartition(), home, targets);
  }

  private static NodeStatus toStatus(StatusResponse s) {
    List<NodeStatus.Member> members = new ArrayList<>();
    for (MemberStatus m : s.getMembersList()) {
      members.add(
          new NodeStatus.Member(
              m.getNodeId(), m.getClientAddress(), m.getPeerAddress(), m.getCapacity(), m.getZone(),
              m.getPartitionsOwned(), m.getUp(), m.getPhi(), m.getState(), m.getCopies()));
    }
    return new NodeStatus(
        s.getNodeId(), s.getVersion(), s.getPartitions(), s.getDefaultN(), s.getDefaultR(),
        s.getDefaultW(), Duration.ofMillis(s.getUptimeMillis()), members, s.getStorageFailures(),
        s.getLastStorageError());
  }

  private static byte[] contextBytes(Context context) {
    return context == null ? new byte[0] : context.toBytes();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Throwable unwrap(Throwable t) {
    return RequestSender.unwrap(t);
  }

  private Duration timeoutOf(RequestOptions options) {
    return options.timeout() == null ? timeout : options.timeout();
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectionException("interrupted while waiting", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof DynamoException d) {
        throw d;
      }
      throw new DynamoException("INTERNAL", String.valueOf(cause.getMessage()), cause);
    }
  }

  /** Configures a client. */
  public static final class Builder {
    private final List<InetSocketAddress> addresses = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(10);
    private Duration attemptTimeout;
    private Duration penalty = Duration.ofSeconds(2);
    private SiblingResolver resolver;
    private int maxFrameBytes = 64 << 20;
    private int ioThreads = 1;
    private int maxInFlightPerNode = 8192;
    private Routing routing = Routing.PARTITION_AWARE;
    private Duration mapRefresh = Duration.ofSeconds(10);
    private MeterRegistry registry;
    private double hedgePercentile;
    private double hedgeFraction = 0.05;
    private Duration minHedgeDelay = Duration.ofMillis(1);

    /**
     * A node to send requests to, as {@code host:port}. With partition-aware routing, the nodes
     * given are where the client learns the cluster from (any one suffices; give several in case
     * one is down); with server routing, requests go to them in turn.
     */
    public Builder node(String hostPort) {
      addresses.add(Endpoints.parse(hostPort));
      return this;
    }

    public Builder node(InetSocketAddress address) {
      addresses.add(address);
      return this;
    }

    /** Default deadline of a request, from send to answer. */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * How long one attempt waits for a node's answer; without one by then, the request goes to the
     * next node (a later answer from the first is ignored). The last node left gets whatever
     * remains of the deadline. Default: a third of the timeout.
     */
    public Builder attemptTimeout(Duration attemptTimeout) {
      if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
        throw new IllegalArgumentException("attemptTimeout must be positive: " + attemptTimeout);
      }
      this.attemptTimeout = attemptTimeout;
      return this;
    }

    /** How long a node that failed to answer is avoided while others are available. Default 2 s. */
    public Builder nodePenalty(Duration penalty) {
      if (penalty.isNegative()) {
        throw new IllegalArgumentException("nodePenalty must not be negative: " + penalty);
      }
      this.penalty = penalty;
      return this;
    }

    /** Reconciles siblings on every get. */
    public Builder siblingResolver(SiblingResolver resolver) {
      this.resolver = resolver;
      return this;
    }

    public Builder maxFrameBytes(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /**
     * Requests in flight to one node at once; past it a request fails at once, unsent, with
     * {@link OverloadedException}, so a caller that outpaces the cluster cannot grow the client's
     * memory without bound. Default 8192.
     */
    public Builder maxInFlightPerNode(int maxInFlightPerNode) {
      if (maxInFlightPerNode < 1) {
        throw new IllegalArgumentException("maxInFlightPerNode must be positive: " + maxInFlightPerNode);
      }
      this.maxInFlightPerNode = maxInFlightPerNode;
      return this;
    }

    /** How requests find their node; default {@link Routing#PARTITION_AWARE}. */
    public Builder routing(Routing routing) {
      this.routing = Objects.requireNonNull(routing);
      return this;
    }

    /**
     * How often the cluster map is reloaded besides when an answer shows it is out of date (a
     * member's address or health changes without a new ring). Default 10 s.
     */
    public Builder mapRefresh(Duration every) {
      if (every.toMillis() < 1) {
        throw new IllegalArgumentException("mapRefresh must be at least 1 ms: " + every);
      }
      this.mapRefresh = every;
      return this;
    }

    /**
     * The Micrometer registry the client's meters go to (the service's own, so its scrape or push
     * picks them up); default a private one, readable through {@link #meterRegistry()}.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry);
      return this;
    }

    /**
     * Hedges gets (Dean and Barroso, "The Tail at Scale"): a get without an answer after the
     * {@code percentile}-th percentile of the last 10 s of get latencies (but at least the minimum
     * hedge delay, 1 ms by default) is also sent to another replica, and the first answer wins. At
     * most {@code maxExtraFraction} of gets are hedged (plus a burst of 20), so a slow cluster does
     * not get twice the load. Off by default; never for writes.
     */
    public Builder hedgeReads(double percentile, double maxExtraFraction) {
      if (percentile <= 0 || percentile >= 100) {
        throw new IllegalArgumentException("hedge percentile must be within (0, 100): " + percentile);
      }
      if (maxExtraFraction <= 0 || maxExtraFraction > 1) {
        throw new IllegalArgumentException("hedge fraction must be within (0, 1]: " + maxExtraFraction);
      }
      this.hedgePercentile = percentile;
      this.hedgeFraction = maxExtraFraction;
      return this;
    }

    /** The least a hedged get waits before asking a second replica. Default 1 ms. */
    public Builder minHedgeDelay(Duration delay) {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("minHedgeDelay must not be negative: " + delay);
      }
      this.minHedgeDelay = delay;
      return this;
    }

    public Builder ioThreads(int ioThreads) {
      this.ioThreads = ioThreads;
      return this;
    }

    public DynamoClient build() {
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException("no nodes configured");
      }
      if (attemptTimeout == null) {
        attemptTimeout = timeout.dividedBy(3);
        if (attemptTimeout.toMillis() < 1) {
          attemptTimeout = Duration.ofMillis(1);
        }
      }
      return new DynamoClient(this);
    }
  }
}

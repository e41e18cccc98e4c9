package io.dynamo.client;

import com.google.protobuf.ByteString;
import io.dynamo.client.impl.AdminAnswers;
import io.dynamo.client.impl.NodeConnection;
import io.dynamo.client.impl.Responses;
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
import io.dynamo.proto.v1.StatusCode;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import io.dynamo.client.impl.NodePenalties;

/**
 * A client of a Dynamo cluster. Every operation has an async form returning a {@link
 * CompletableFuture} and a blocking form that waits for it; errors are {@link DynamoException}
 * subtypes. Requests go to the configured nodes in turn.
 *
 * <p>Every put and delete carries a write id the client chooses once per call (16 random bytes)
 * and the deadline of the attempt (after which a node refuses to start it). That makes writes safe to retry: a request that could not be sent
 * (connection refused, write failed) or that got no answer within the attempt timeout is sent
 * again, with the same id, to the next node, as long as the deadline allows; copies the attempts
 * make are reconciled into one version by the nodes. Reads are retried the same way. A node that
 * failed to answer is avoided for a short penalty time. Answers, errors included, are final: a
 * node that answered decided.
 *
 * <pre>{@code
 * try (DynamoClient client = DynamoClient.builder().node("127.0.0.1:7100").build()) {
 *   GetResult r = client.get("users", "alice");
 *   client.put("users", "alice", r.context(), "new value".getBytes(UTF_8));
 * }
 * }</pre>
 */
public final class DynamoClient implements AutoCloseable {
  private final List<NodeConnection> nodes;
  private final EventLoopGroup group;
  private final Duration timeout;
  private final Duration attemptTimeout;
  private final SiblingResolver resolver;
  private final AtomicInteger next = new AtomicInteger();
  private final NodePenalties penalties;

  /** Length of a write id: 128 random bits, so two writes never share one by chance. */
  static final int WRITE_ID_BYTES = 16;

  private DynamoClient(Builder b) {
    this.group = NettyRuntime.newGroup(b.ioThreads, "dynamo-client");
    this.timeout = b.timeout;
    this.attemptTimeout = b.attemptTimeout;
    this.resolver = b.resolver;
    this.penalties = new NodePenalties(b.addresses.size(), b.penalty.toNanos(), System::nanoTime);
    List<NodeConnection> list = new ArrayList<>();
    for (InetSocketAddress a : b.addresses) {
      list.add(new NodeConnection(a, group, b.maxFrameBytes, b.maxInFlightPerNode));
    }
    this.nodes = List.copyOf(list);
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- async ---------------------------------------------------------------------------------

  public CompletableFuture<GetResult> getAsync(String bucket, byte[] key, RequestOptions options) {
    Envelope.Builder request =
        Envelope.newBuilder()
            .setGetRequest(
                GetRequest.newBuilder()
                    .setBucket(bucket)
                    .setKey(ByteString.copyFrom(key))
                    .setQuorum(Quorum.newBuilder().setR(options.r())));
    return send(request, options, Envelope.BodyCase.GET_RESPONSE)
        .thenApply(e -> toResult(e.getGetResponse(), true));
  }

  /**
   * Writes {@code value}, replacing the versions {@code context} was read from. Returns the new
   * version's context, for a next write without re-reading; {@link Context#NONE} when the write now
   * stands beside concurrent siblings (read the key to see and reconcile them).
   */
  public CompletableFuture<Context> putAsync(
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
    return send(request, options, Envelope.BodyCase.PUT_RESPONSE)
        .thenApply(e -> Context.fromBytes(e.getPutResponse().getContext().toByteArray()));
  }

  /**
   * Deletes the versions {@code context} was read from. Without a context the key is read first
   * and every version found is deleted; if nothing is found, nothing is written.
   */
  public CompletableFuture<Context> deleteAsync(
      String bucket, byte[] key, Context context, RequestOptions options) {
    if (context == null || context.isEmpty()) {
      return getAsync(bucket, key, options)
          .thenCompose(
              found ->
                  found.context().isEmpty()
                      ? CompletableFuture.completedFuture(Context.NONE)
                      : deleteAsync(bucket, key, found.context(), options));
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
    return send(request, options, Envelope.BodyCase.DELETE_RESPONSE)
        .thenApply(e -> Context.fromBytes(e.getDeleteResponse().getContext().toByteArray()));
  }

  /** The status of one node (by index in the configured list). */
  public CompletableFuture<NodeStatus> statusAsync(int node) {
    Envelope.Builder request = Envelope.newBuilder().setStatusRequest(StatusRequest.getDefaultInstance());
    return nodes.get(node)
        .request(request, timeout)
        .thenApply(e -> toStatus(Responses.expect(e, Envelope.BodyCase.STATUS_RESPONSE).getStatusResponse()));
  }

  // ---- operator requests, answered by one node ----------------------------------------------

  /** Where {@code key} lives, as node {@code node} (index in the configured list) sees it. */
  public CompletableFuture<Route> routeAsync(int node, String bucket, byte[] key) {
    Envelope.Builder request =
        Envelope.newBuilder()
            .setRouteRequest(RouteRequest.newBuilder().setBucket(bucket).setKey(ByteString.copyFrom(key)));
    return nodes.get(node)
        .request(request, timeout)
        .thenApply(e -> toRoute(Responses.expect(e, Envelope.BodyCase.ROUTE_RESPONSE).getRouteResponse()));
  }

  /** Node {@code node}'s own copy of {@code key}, without asking any other replica. */
  public CompletableFuture<GetResult> localGetAsync(int node, String bucket, byte[] key) {
    Envelope.Builder request =
        Envelope.newBuilder()
            .setLocalGetRequest(
                LocalGetRequest.newBuilder().setBucket(bucket).setKey(ByteString.copyFrom(key)));
    return nodes.get(node)
        .request(request, timeout)
        .thenApply(
            e -> toResult(Responses.expect(e, Envelope.BodyCase.GET_RESPONSE).getGetResponse(), false));
  }

  /** The hints node {@code node} holds, per home replica. */
  public CompletableFuture<List<HintQueue>> hintsAsync(int node) {
    Envelope.Builder request = Envelope.newBuilder().setHintsRequest(HintsRequest.getDefaultInstance());
    return nodes.get(node)
        .request(request, timeout)
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
    return nodes.get(node)
        .request(request, timeout)
        .thenApply(e -> AdminAnswers.plan(Responses.expect(e, Envelope.BodyCase.PLAN_RESPONSE).getPlanResponse()));
  }

  /** The plan of the changes staged on node {@code node}. */
  public CompletableFuture<ClusterPlan> planAsync(int node) {
    Envelope.Builder request = Envelope.newBuilder().setPlanRequest(PlanRequest.getDefaultInstance());
    return nodes.get(node)
        .request(request, timeout)
        .thenApply(e -> AdminAnswers.plan(Responses.expect(e, Envelope.BodyCase.PLAN_RESPONSE).getPlanResponse()));
  }

  /**
   * Commits the plan with hash {@code planHash} on node {@code node}, which must be the claimant;
   * answers the new ring version. Refused with PLAN_CHANGED if the plan is no longer that one.
   */
  public CompletableFuture<Long> commitAsync(int node, long planHash) {
    Envelope.Builder request =
        Envelope.newBuilder().setCommitRequest(CommitRequest.newBuilder().setPlanHash(planHash));
    return nodes.get(node)
        .request(request, timeout)
        .thenApply(e -> Responses.expect(e, Envelope.BodyCase.COMMIT_RESPONSE).getCommitResponse().getRingVersion());
  }

  /** The ring as node {@code node} holds it. */
  public CompletableFuture<RingLayout> ringAsync(int node) {
    Envelope.Builder request = Envelope.newBuilder().setRingRequest(RingRequest.getDefaultInstance());
    return nodes.get(node)
        .request(request, timeout)
        .thenApply(e -> AdminAnswers.ring(Responses.expect(e, Envelope.BodyCase.RING_RESPONSE).getRingResponse()));
  }

  /** The partition copies node {@code node} is receiving or has received since it started. */
  public CompletableFuture<List<TransferStatus>> transfersAsync(int node) {
    Envelope.Builder request =
        Envelope.newBuilder().setTransfersRequest(TransfersRequest.getDefaultInstance());
    return nodes.get(node)
        .request(request, timeout)
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
    return nodes.get(node)
        .request(Envelope.newBuilder().setRepairRequest(r), timeout)
        .thenApply(e -> List.copyOf(
            Responses.expect(e, Envelope.BodyCase.REPAIR_RESPONSE).getRepairResponse().getQueuedList()));
  }

  /** Anti-entropy as node {@code node} reports it. */
  public CompletableFuture<RepairStatus> repairStatusAsync(int node) {
    Envelope.Builder request =
        Envelope.newBuilder().setRepairStatusRequest(
            io.dynamo.proto.v1.RepairStatusRequest.getDefaultInstance());
    return nodes.get(node)
        .request(request, timeout)
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
    for (NodeConnection n : nodes) {
      n.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * Sends a get, or a put or delete carrying a write id, trying the nodes in turn until one answers
   * or the deadline passes. Each node is tried at most once per request.
   */
  private CompletableFuture<Envelope> send(
      Envelope.Builder request, RequestOptions options, Envelope.BodyCase expected) {
    Duration t = options.timeout() == null ? timeout : options.timeout();
    long deadlineNanos = System.nanoTime() + t.toNanos();
    int start = Math.floorMod(next.getAndIncrement(), nodes.size());
    boolean[] tried = new boolean[nodes.size()];
    return attempt(request, t, deadlineNanos, start, tried, null)
        .thenApply(e -> Responses.expect(e, expected));
  }

  private CompletableFuture<Envelope> attempt(
      Envelope.Builder request,
      Duration t,
      long deadlineNanos,
      int start,
      boolean[] tried,
      Throwable last) {
    long remaining = deadlineNanos - System.nanoTime();
    // Checked before choosing: choosing a penalized node takes its one probe, which only an
    // attempt that is sent gives back.
    int index = remaining <= 0 ? -1 : penalties.choose(start, tried);
    if (index < 0) {
      if (last instanceof RequestTimeoutException || last == null) {
        return CompletableFuture.failedFuture(
            new RequestTimeoutException(
                "no answer within " + t.toMillis() + " ms"
                    + (last == null ? "" : "; last attempt: " + last.getMessage())));
      }
      return CompletableFuture.failedFuture(last);
    }
    tried[index] = true;
    // The last node left gets all the time there is; the others an attempt's share, so a node
    // that holds the request without answering (paused, overloaded) costs only that.
    boolean lastChance = allTried(tried);
    long budget = lastChance ? remaining : Math.min(remaining, attemptTimeout.toNanos());
    NodeConnection node = nodes.get(index);
    // A node refuses a write that reaches it after the attempt's deadline (wall clock: the nodes'
    // monotonic clocks mean nothing here), the moment this client stops waiting for it and tries
    // another node: a node that was paused or slow then makes no late copy of the write.
    Envelope.Builder sent = request.clone();
    long deadlineUnixMillis = System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(budget);
    if (sent.hasPutRequest()) {
      sent.getPutRequestBuilder().setDeadlineUnixMillis(deadlineUnixMillis);
    } else if (sent.hasDeleteRequest()) {
      sent.getDeleteRequestBuilder().setDeadlineUnixMillis(deadlineUnixMillis);
    } else if (sent.hasGetRequest()) {
      // Work for an answer nobody waits for only deepens an overload.
      sent.getGetRequestBuilder().setDeadlineUnixMillis(deadlineUnixMillis);
    }
    return node.request(sent, Duration.ofNanos(budget))
        .handle(
            (response, error) -> {
              // An earlier attempt that got no answer may have applied a write: that stays the
              // outcome to report, whatever later attempts say.
              Throwable ambiguous = last instanceof RequestTimeoutException ? last : null;
              if (error == null) {
                penalties.clear(index);
                if (ambiguous != null && isWrite(request) && response.hasError()
                    && response.getError().getCode() == StatusCode.OVERLOADED) {
                  return CompletableFuture.<Envelope>failedFuture(
                      new RequestTimeoutException(
                          "an earlier attempt got no answer and may have applied the write; the"
                              + " last node tried refused it: " + response.getError().getMessage()));
                }
                return CompletableFuture.completedFuture(response);
              }
              Throwable cause = unwrap(error);
              if (cause instanceof OverloadedException o && !o.wasSent()) {
                // Refused by this client's own limit for that node: nothing was sent, the node
                // said nothing either way, so its penalty stands and another node may take it.
                return attempt(request, t, deadlineNanos, index + 1, tried, ambiguous != null ? ambiguous : cause);
              }
              if (!(cause instanceof ConnectionException)
                  && !(cause instanceof RequestTimeoutException)) {
                penalties.clear(index); // it answered
              }
              if (cause instanceof ConnectionException || cause instanceof RequestTimeoutException) {
                // Never sent, or sent and never answered: another node may do it. Safe for a
                // write too, since it carries its write id.
                penalties.penalize(index);
                return attempt(
                    request, t, deadlineNanos, index + 1, tried,
                    ambiguous != null && !(cause instanceof RequestTimeoutException) ? ambiguous : cause);
              }
              return CompletableFuture.<Envelope>failedFuture(cause);
            })
        .thenCompose(Function.identity());
  }

  private static boolean isWrite(Envelope.Builder request) {
    return request.hasPutRequest() || request.hasDeleteRequest();
  }

  private static boolean allTried(boolean[] tried) {
    for (boolean t : tried) {
      if (!t) {
        return false;
      }
    }
    return true;
  }

  private static ByteString newWriteId() {
    byte[] id = new byte[WRITE_ID_BYTES];
    ThreadLocalRandom.current().nextBytes(id);
    return ByteString.copyFrom(id);
  }

  /** @param resolve apply the sibling resolver (not for an operator's look at one replica) */
  private GetResult toResult(GetResponse response, boolean resolve) {
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
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static <T> T await(CompletableFuture<T> future) {
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

    /** A node to send requests to, as {@code host:port}; add several to spread load. */
    public Builder node(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
      }
      addresses.add(
          new InetSocketAddress(
              hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
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

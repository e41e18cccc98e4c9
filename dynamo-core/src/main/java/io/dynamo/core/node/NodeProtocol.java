package io.dynamo.core.node;

import io.dynamo.core.log.RateLimitedLog;
import io.dynamo.core.log.Untrusted;
import io.dynamo.core.quorum.ReplicaPlan;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.KeyLimitException;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.storage.StorageException;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.ContextLimits;
import io.dynamo.core.version.InvalidContextException;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.RecordDigest;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ForwardRequest;
import io.dynamo.proto.v1.ForwardResponse;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.Heartbeat;
import io.dynamo.proto.v1.ReplicaReadRequest;
import io.dynamo.proto.v1.ReplicaReadResponse;
import io.dynamo.proto.v1.ReplicaWriteRequest;
import io.dynamo.proto.v1.ReplicaWriteResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol of one node, or of one shard of it: coordinates client requests under a sloppy
 * quorum and serves its replica of the data, keeps hints for home replicas that are down and hands
 * them back, repairs stale replicas after reads, and heartbeats its peers. Every method runs on the
 * shard's protocol thread (see {@link Scheduler}); storage work goes through the {@link
 * StorageExecutor}, messages through the {@link PeerSink}, so the same code runs under Netty and
 * under the deterministic simulator.
 *
 * <p>A node may run several shards, one per event loop, each owning the partitions {@code p} with
 * {@code p % count == index} and the operations whose ids it issued ({@link ShardRouter} says
 * which shard a message belongs to). Shard 0 also runs the node-wide periodic work: heartbeats,
 * the failure detector (whose verdicts every shard reads from a shared {@link PeerVerdicts}) and
 * hinted handoff.
 */
public final class NodeProtocol implements OperationHost {
  private static final Logger log = LoggerFactory.getLogger(NodeProtocol.class);

  private final NodeId self;
  private final Ring ring;
  private final BucketTable buckets;
  private final ProtocolSettings settings;
  private final Clock clock;
  private final Scheduler scheduler;
  private final PeerSink peers;
  private final StorageExecutor storage;
  private final LocalReplica replica;
  private final PeerHealth health;
  private final HintedHandoff handoff;
  private final OperatorRequests operator;
  private final int shard;
  private final PeerVerdicts verdicts;
  private final OperationTable operations;
  /** Warnings caused by what peers send: rate-limited, since a flood of bad input must not flood the log. */
  private final RateLimitedLog remoteWarnings;
  /** Every member but this node. */
  private final List<NodeId> peerIds;
  private final Map<NodeId, Boolean> lastKnownUp = new HashMap<>();
  private final Map<NodeId, Long> transitions = new HashMap<>();
  // Written on this shard's thread only, read by metrics scrapes on another.
  private volatile long missedAckHints;
  private volatile long keysPastWarning;
  private long nextLargeKeyLogMillis;
  private boolean started;

  /**
   * Shard {@code shard} of {@code shards} of a node (0 of 1 for a node run as one shard). Every shard of a node gets the same {@code
   * health} and {@code verdicts}; only shard 0 feeds and evaluates the detector.
   */
  public NodeProtocol(
      NodeId self,
      Ring ring,
      BucketTable buckets,
      ProtocolSettings settings,
      Clock clock,
      Scheduler scheduler,
      PeerSink peers,
      StorageExecutor storage,
      LocalReplica replica,
      PeerHealth health,
      int shard,
      int shards,
      PeerVerdicts verdicts) {
    if (shards < 1 || shards > ShardRouter.MAX_SHARDS || shard < 0 || shard >= shards) {
      throw new IllegalArgumentException("shard " + shard + " of " + shards);
    }
    this.shard = shard;
    this.verdicts = verdicts;
    if (!ring.isMember(self)) {
      throw new IllegalArgumentException("node " + self + " is not a member of the ring");
    }
    this.self = self;
    this.ring = ring;
    this.buckets = buckets;
    this.settings = settings;
    this.clock = clock;
    this.scheduler = scheduler;
    this.operations = new OperationTable(shard, shards, clock, scheduler);
    this.remoteWarnings = RateLimitedLog.of(log, clock::monotonicMillis);
    this.peerIds = ring.members().keySet().stream().filter(m -> !m.equals(self)).toList();
    this.peers = peers;
    this.storage = storage;
    this.replica = replica;
    this.health = health;
    List<NodeId> members = List.copyOf(ring.members().keySet());
    this.handoff = new HintedHandoff(self, members, replica, storage, this, settings);
    this.operator = new OperatorRequests(this, ring, buckets, settings, clock, storage, replica);
  }

  /**
   * Starts the periodic work, on shard 0 only: heartbeats to peers, failure-detector checks, hint
   * handoff.
   */
  public void start() {
    if (started || shard != 0) {
      return;
    }
    started = true;
    // Every member is taken to have been alive when this node started: one never heard from
    // afterwards is then suspected like one that fell silent, instead of being trusted forever.
    long now = clock.monotonicMillis();
    for (NodeId peer : peerIds) {
      health.heard(peer, now);
    }
    verdicts.refresh(peerIds, health, now);
    scheduler.schedule(settings.heartbeatIntervalMillis(), this::heartbeatRound);
    if (settings.handoffEnabled()) {
      scheduler.schedule(settings.handoffIntervalMillis(), this::handoffRound);
    }
  }

  public NodeId self() {
    return self;
  }

  public Ring ring() {
    return ring;
  }

  /** Operations waiting for peers, for tests and metrics. */
  public int pendingOperations() {
    return operations.size();
  }

  /**
   * Whether this node believes {@code node} is up (itself always), as of the failure detector's
   * last evaluation: once per heartbeat interval, and whenever a peer's heartbeat arrives.
   */
  public boolean isUp(NodeId node) {
    return node.equals(self) || verdicts.isUp(node);
  }

  /** The failure detector's suspicion of {@code node} at its last evaluation, for operators. */
  public double phi(NodeId node) {
    return node.equals(self) ? 0 : verdicts.phi(node);
  }

  public int shard() {
    return shard;
  }

  /** What this node believes of one peer, for metrics. */
  public record PeerView(NodeId peer, boolean up, double phi, long transitions) {}

  /** This node's view of every peer. Call on the protocol thread. */
  public List<PeerView> peerViews() {
    List<PeerView> out = new ArrayList<>();
    for (NodeId peer : peerIds) {
      out.add(new PeerView(peer, isUp(peer), phi(peer), transitions.getOrDefault(peer, 0L)));
    }
    return out;
  }

  /**
   * A client request; {@code reply} receives exactly one response envelope. {@code partition} is
   * the key's partition when the caller computed it (to route the request to this shard), else
   * {@link ShardRouter#UNKNOWN_PARTITION}.
   */
  public void onClientRequest(Envelope request, int partition, Consumer<Envelope> reply) {
    long requestId = request.getRequestId();
    if (request.getProtocolVersion() != Replies.PROTOCOL_VERSION) {
      reply.accept(
          Replies.error(
              requestId,
              StatusCode.UNSUPPORTED_VERSION,
              "protocol version " + Integer.toUnsignedString(request.getProtocolVersion())
                  + " is not supported; this node speaks "
                  + Replies.PROTOCOL_VERSION));
      return;
    }
    try {
      switch (request.getBodyCase()) {
        case GET_REQUEST -> get(requestId, request.getGetRequest(), partition, reply);
        case PUT_REQUEST ->
            write(requestId, WriteCommand.of(request.getPutRequest()), partition, reply, true);
        case DELETE_REQUEST ->
            write(requestId, WriteCommand.of(request.getDeleteRequest()), partition, reply, true);
        case ROUTE_REQUEST -> operator.route(requestId, request.getRouteRequest(), reply);
        case LOCAL_GET_REQUEST -> operator.localGet(requestId, request.getLocalGetRequest(), reply);
        case HINTS_REQUEST -> operator.hints(requestId, reply);
        default ->
            reply.accept(
                Replies.error(
                    requestId,
                    StatusCode.UNKNOWN_MESSAGE,
                    "not a client request: " + request.getBodyCase()));
      }
    } catch (RequestException e) {
      log.debug("refused request {}: {}", requestId, e.getMessage());
      reply.accept(Replies.error(requestId, e.toResponse()));
    } catch (RuntimeException e) {
      // A bug, not bad input: the client still gets its one answer, and the node's admission
      // slot for the request is given back with it.
      log.error("request {} ({}) failed", requestId, request.getBodyCase(), e);
      reply.accept(Replies.error(requestId, StatusCode.INTERNAL, "internal error: " + e.getClass().getSimpleName()));
    }
  }

  /** A message from another node (or this node's own replica answering it). */
  public void onPeerMessage(NodeId from, Envelope message) {
    switch (message.getBodyCase()) {
      // Only heartbeats feed the failure detector: they arrive at a steady rate, whereas counting
      // bursts of traffic would shrink the expected interval and make a quiet peer look dead.
      case HEARTBEAT -> heard(from);
      case REPLICA_READ_REQUEST -> serveRead(from, message.getReplicaReadRequest());
      case REPLICA_WRITE_REQUEST -> serveWrite(from, message.getReplicaWriteRequest());
      case FORWARD_REQUEST -> serveForward(from, message.getForwardRequest());
      case REPLICA_READ_RESPONSE -> deliver(from, message.getReplicaReadResponse().getOpId(), message);
      case REPLICA_WRITE_RESPONSE ->
          deliver(from, message.getReplicaWriteResponse().getOpId(), message);
      case FORWARD_RESPONSE -> deliver(from, message.getForwardResponse().getOpId(), message);
      default ->
          remoteWarnings.warn(
              "unexpected-peer-message", "ignoring unexpected {} from {}", message.getBodyCase(), from);
    }
  }

  /** The replicas a request for this key goes to now, given whom this node believes up. */
  ReplicaPlan plan(int partition, int n) {
    return ReplicaPlan.of(ring.extendedPreferenceList(partition), n, this::isUp);
  }

  // ---- coordination -------------------------------------------------------------------------

  private void get(long requestId, GetRequest request, int knownPartition, Consumer<Envelope> reply) {
    String bucket = request.getBucket();
    BucketProperties props = RequestValidator.bucket(buckets, bucket);
    RequestValidator.key(request.getKey(), settings);
    int r = RequestValidator.quorum("r", request.getQuorum().getR(), props.r(), props.n());
    if (RequestValidator.deadlinePassed(request.getDeadlineUnixMillis(), clock.currentTimeMillis())) {
      throw new RequestException(
          StatusCode.OVERLOADED, "get reached this node after its deadline; nothing read");
    }
    int partition = partitionOf(knownPartition, bucket, request.getKey());
    ReplicaPlan plan = plan(partition, props.n());
    if (plan.targets().size() < r) {
      throw quorumUnavailable("read", r, plan.targets().size());
    }
    GetOperation op =
        new GetOperation(
            requestId,
            plan.targets(),
            r,
            props.conflictMode(),
            reply,
            (stale, merged) ->
                sendReplicaWrite(
                    0, stale, bucket, request.getKey(), partition,
                    UnsafeByteOperations.unsafeWrap(VersionCodec.encodeSiblings(merged)), null));
    long opId = register(op, settings.requestTimeoutMillis());
    // The record comes from this node when it holds a replica: a local read moves no value.
    NodeId dataNode = plan.targets().contains(self) ? self : plan.targets().get(0);
    op.start(
        dataNode,
        (node, digestOnly) ->
            send(
                node,
                Replies.envelope(0)
                    .setReplicaReadRequest(
                        ReplicaReadRequest.newBuilder()
                            .setOpId(opId)
                            .setBucket(bucket)
                            .setKey(request.getKey())
                            .setPartition(partition)
                            .setDigestOnly(digestOnly))
                    .build()));
  }

  private int partitionOf(int known, String bucket, ByteString key) {
    return known >= 0 ? known : ring.partitionOf(bucket, key.toByteArray());
  }

  private void write(
      long requestId,
      WriteCommand command,
      int knownPartition,
      Consumer<Envelope> reply,
      boolean mayForward) {
    BucketProperties props = RequestValidator.bucket(buckets, command.bucket());
    RequestValidator.key(command.key(), settings);
    if (command.value().size() > props.maxValueBytes()) {
      throw new RequestException(
          StatusCode.VALUE_TOO_LARGE,
          "value of " + command.value().size() + " bytes exceeds bucket '" + command.bucket()
              + "' limit of " + props.maxValueBytes() + " bytes");
    }
    VectorClock context;
    try {
      context = ContextLimits.check(VersionCodec.decodeClock(command.context().toByteArray()));
    } catch (MalformedVersionException | InvalidContextException e) {
      throw new RequestException(StatusCode.BAD_CONTEXT, "context is not valid: " + e.getMessage());
    }
    if (command.expired(clock.currentTimeMillis())) {
      throw expired(command);
    }
    int w = RequestValidator.quorum("w", command.w(), props.w(), props.n());
    int partition = partitionOf(knownPartition, command.bucket(), command.key());
    ReplicaPlan plan = plan(partition, props.n());
    String what = command.delete() ? "delete" : "write";
    if (plan.targets().size() < w) {
      throw quorumUnavailable(what, w, plan.targets().size());
    }
    NodeId coordinator = coordinatorOf(plan);
    if (!coordinator.equals(self)) {
      if (mayForward) {
        forward(requestId, forwardCoordinators(plan, coordinator, command), command, partition, reply);
        return;
      }
      if (!plan.targets().contains(self)) {
        throw new RequestException(
            StatusCode.QUORUM_UNAVAILABLE,
            "forwarded " + what + " reached " + self + ", which is not among the replicas it believes up");
      }
    }
    DataKey dataKey = new DataKey(partition, command.bucket(), command.key().toByteArray());
    PutOperation op =
        new PutOperation(
            requestId, command.delete(), plan.targets(), w, reply,
            (record, missed) -> hintMissed(dataKey, record, plan, missed, props.conflictMode()));
    long opId = register(op, settings.requestTimeoutMillis());
    long now = clock.currentTimeMillis();
    byte[] value = command.value().toByteArray();
    List<NodeId> hintFor = new ArrayList<>(plan.uncovered());
    if (plan.hintTarget(self) != null) {
      hintFor.add(plan.hintTarget(self));
    }
    storage.execute(
        () -> {
          // Checked again where the copy would be made: the node may have stalled since.
          if (command.expired(clock.currentTimeMillis())) {
            throw expired(command);
          }
          return replica.coordinate(
              dataKey, self, now, context, command.delete(), value, props.conflictMode(), hintFor,
              command.writeId());
        },
        (written, error) -> {
          if (!operations.isPending(opId)) {
            // Timed out while the disk was busy (the caller was told the write may have been
            // applied): it was, here, so every other target gets it through a hint.
            if (error == null) {
              List<NodeId> others = new ArrayList<>(plan.targets());
              others.remove(self);
              hintMissed(dataKey, written.record(), plan, others, props.conflictMode());
            }
            return;
          }
          if (error instanceof InvalidContextException) {
            // Refused before any counter was issued: nothing was written anywhere.
            finish(opId);
            reply.accept(
                Replies.error(requestId, StatusCode.BAD_CONTEXT, "context is not valid: " + error.getMessage()));
            return;
          }
          if (error instanceof RequestException refused) {
            finish(opId);
            reply.accept(Replies.error(requestId, refused.toResponse()));
            return;
          }
          if (error != null) {
            finish(opId);
            if (error instanceof RejectedExecutionException) {
              reply.accept(Replies.error(requestId, StatusCode.OVERLOADED, "overloaded, nothing done: storage queue full"));
              return;
            }
            if (error instanceof KeyLimitException e) {
              reply.accept(Replies.error(requestId, limitCode(e), e.getMessage()));
              return;
            }
            logStorageFailure("local write", dataKey, error);
            replica.recordFailure("local write", error);
            // Nothing was stored here (a failed batch applies nothing): the next home replica
            // believed up can coordinate the write instead, so the client need not see the disk.
            // Only for a write taken from a client: one forwarded here goes back to its forwarder
            // as an error, so two nodes with failing disks never pass a write back and forth.
            NodeId next = mayForward ? nextHomeAfter(plan, self) : null;
            if (next != null) {
              List<NodeId> others = new ArrayList<>(forwardCoordinators(plan, next, command));
              others.remove(self);
              forward(requestId, others, command, partition, reply);
              return;
            }
            reply.accept(
                Replies.error(requestId, StatusCode.STORAGE_ERROR, "local write failed: " + error.getMessage()));
            return;
          }
          if (props.keyLimits().pastWarning(written.siblings().versions().size(), written.record().length)) {
            warnLargeKey(dataKey, written);
          }
          if (op.onLocalWrite(self, written)) {
            finish(opId);
          }
          // The bytes just stored go to every target as they are: encoded once, never copied.
          ByteString record = UnsafeByteOperations.unsafeWrap(written.record());
          for (NodeId node : plan.targets()) {
            if (!node.equals(self)) {
              sendReplicaWrite(
                  opId, node, command.bucket(), command.key(), partition, record,
                  plan.hintTarget(node));
            }
          }
        });
  }

  private static StatusCode limitCode(KeyLimitException e) {
    return switch (e.kind()) {
      case TOO_MANY_SIBLINGS -> StatusCode.TOO_MANY_SIBLINGS;
      case RECORD_TOO_LARGE -> StatusCode.RECORD_TOO_LARGE;
    };
  }

  /** Counts writes that left a key past a warn level; logs one line a minute at most. */
  private void warnLargeKey(DataKey key, LocalReplica.Coordinated written) {
    keysPastWarning++;
    long now = clock.monotonicMillis();
    if (now >= nextLargeKeyLogMillis) {
      nextLargeKeyLogMillis = now + 60_000;
      log.warn(
          "a write left a key of bucket {} with {} siblings and a {}-byte record, past the bucket's"
              + " warn level ({} such writes on this shard since start); its application should"
              + " reconcile siblings",
          key.bucket(), written.siblings().versions().size(), written.record().length,
          keysPastWarning);
    }
  }

  /** Writes that left a key past its bucket's sibling or record-size warn level, since start. */
  public long keysPastWarning() {
    return keysPastWarning;
  }

  /**
   * Keeps a durable hint of a written record for each target that did not acknowledge it: for a
   * substitute, the hint is for the home replica it stood in for, which is where the data belongs.
   */
  private void hintMissed(
      DataKey key, byte[] record, ReplicaPlan plan, Collection<NodeId> missed, ConflictMode mode) {
    if (record == null) {
      return;
    }
    List<NodeId> homes = new ArrayList<>(missed.size());
    for (NodeId node : missed) {
      NodeId home = plan.hintTarget(node) != null ? plan.hintTarget(node) : node;
      if (!home.equals(self) && !homes.contains(home)) {
        homes.add(home);
      }
    }
    if (homes.isEmpty()) {
      return;
    }
    long now = clock.currentTimeMillis();
    missedAckHints += homes.size();
    storage.execute(
        () -> {
          replica.hint(key, record, homes, mode, now);
          return null;
        },
        (ignored, error) -> {
          if (error != null) {
            log.warn("could not keep hints of {} for {}: {}", key, homes, error.toString());
          }
        });
  }

  /** Failed local storage operations, node-wide. */
  public LocalReplica.StorageFailures storageFailures() {
    return replica.failures();
  }

  /** Hints kept for targets that did not acknowledge a write in time, since start. */
  public long missedAckHints() {
    return missedAckHints;
  }

  /** The first home replica other than {@code node} believed up, or null. */
  private NodeId nextHomeAfter(ReplicaPlan plan, NodeId node) {
    for (NodeId home : plan.home()) {
      if (!home.equals(node) && isUp(home)) {
        return home;
      }
    }
    return null;
  }

  /**
   * Who coordinates a write: this node if it is a home replica; else the first home replica
   * believed up; else, with every home replica down, this node if it is a substitute, or the first
   * substitute.
   */
  private NodeId coordinatorOf(ReplicaPlan plan) {
    if (plan.isHome(self)) {
      return self;
    }
    for (NodeId home : plan.home()) {
      if (isUp(home)) {
        return home;
      }
    }
    return plan.targets().contains(self) ? self : plan.targets().get(0);
  }

  private void sendReplicaWrite(
      long opId,
      NodeId to,
      String bucket,
      ByteString key,
      int partition,
      ByteString record,
      NodeId hintFor) {
    send(to, Replies.replicaWrite(opId, bucket, key, partition, record, hintFor));
  }

  /**
   * The coordinators a forwarded write may go to, in order: {@code first}, then, for a write with a
   * write id (which can be sent twice without becoming two writes), the other home replicas
   * believed up. Each home replica coordinates a write itself, so any of them accepts it.
   */
  private static List<NodeId> forwardCoordinators(
      ReplicaPlan plan, NodeId first, WriteCommand command) {
    List<NodeId> out = new ArrayList<>();
    out.add(first);
    if (command.writeId() != null && plan.isHome(first)) {
      for (NodeId home : plan.home()) {
        if (!home.equals(first) && plan.targets().contains(home)) {
          out.add(home);
        }
      }
    }
    return out;
  }

  private void forward(
      long requestId,
      List<NodeId> coordinators,
      WriteCommand command,
      int partition,
      Consumer<Envelope> reply) {
    ForwardOperation op = new ForwardOperation(requestId, coordinators, reply);
    // Longer than the target's own deadline, so its answer (even a failure) normally arrives first.
    long opId = register(op, settings.requestTimeoutMillis() * 3 / 2);
    long deadline = clock.currentTimeMillis() + settings.requestTimeoutMillis();
    sendForward(opId, op, coordinators.get(0), command, partition, deadline);
  }

  /**
   * Sends a forwarded write to {@code target} with the deadline by which it must begin it: the
   * write's own for the last coordinator there is to try, otherwise the moment this node will try
   * the next one. A coordinator that gets it later (it was paused, or the message was slow)
   * refuses it, so a coordinator this node has given up on makes no late copy of the write.
   */
  private void sendForward(
      long opId, ForwardOperation op, NodeId target, WriteCommand command, int partition,
      long deadline) {
    boolean last = !op.hasNextCoordinator();
    long attemptDeadline =
        last ? deadline : Math.min(deadline, clock.currentTimeMillis() + settings.forwardRetryMillis());
    ForwardRequest.Builder forward = ForwardRequest.newBuilder().setOpId(opId).setPartition(partition);
    command.addTo(forward, attemptDeadline);
    send(target, Replies.envelope(0).setForwardRequest(forward).build());
    if (!last) {
      scheduler.schedule(
          settings.forwardRetryMillis(),
          () -> retryForward(opId, op, command, partition, deadline));
    }
  }

  /** Sends a forwarded write that got no answer yet to the next coordinator, within its deadline. */
  private void retryForward(
      long opId, ForwardOperation op, WriteCommand command, int partition, long deadline) {
    if (!operations.isPending(opId) || clock.currentTimeMillis() >= deadline) {
      return;
    }
    NodeId next = op.nextCoordinator();
    if (next == null) {
      return;
    }
    log.debug("forwarded write {} unanswered after {} ms; retrying through {}", opId,
        settings.forwardRetryMillis(), next);
    sendForward(opId, op, next, command, partition, deadline);
  }

  @Override
  public long register(Operation op, long timeoutMillis) {
    return operations.register(op, timeoutMillis);
  }

  private void deliver(NodeId from, long opId, Envelope message) {
    operations.deliver(from, opId, message);
  }

  private void finish(long opId) {
    operations.finish(opId);
  }

  private static RequestException expired(WriteCommand command) {
    return new RequestException(
        StatusCode.OVERLOADED,
        (command.delete() ? "delete" : "write") + " reached this node after its deadline; not applied");
  }

  private static RequestException quorumUnavailable(String what, int required, int reachable) {
    return new RequestException(
        StatusCode.QUORUM_UNAVAILABLE,
        what + " needs " + required + " replicas but only " + reachable
            + " are believed up for this key",
        required,
        0);
  }

  // ---- periodic work ------------------------------------------------------------------------

  private void heartbeatRound() {
    // Reschedule first: a failure in one round must not end failure detection for good.
    scheduler.schedule(settings.heartbeatIntervalMillis(), this::heartbeatRound);
    try {
      sendHeartbeats();
    } catch (RuntimeException e) {
      log.error("heartbeat round failed", e);
    }
  }

  private void heard(NodeId from) {
    long now = clock.monotonicMillis();
    health.heard(from, now);
    verdicts.refresh(from, health, now);
  }

  private void sendHeartbeats() {
    Envelope heartbeat = Replies.envelope(0).setHeartbeat(Heartbeat.getDefaultInstance()).build();
    long now = clock.monotonicMillis();
    verdicts.refresh(peerIds, health, now);
    for (NodeId member : peerIds) {
      peers.send(member, heartbeat);
      boolean up = verdicts.isUp(member);
      Boolean before = lastKnownUp.put(member, up);
      if (before != null && before != up) {
        transitions.merge(member, 1L, Long::sum);
        log.warn("{} now believes {} is {} (phi {})", self, member, up ? "UP" : "DOWN",
            String.format("%.1f", verdicts.phi(member)));
      }
    }
  }

  private void handoffRound() {
    scheduler.schedule(settings.handoffIntervalMillis(), this::handoffRound);
    try {
      handoff.round(this::isUp);
    } catch (RuntimeException e) {
      log.error("handoff round failed", e);
    }
  }

  // ---- replica side -------------------------------------------------------------------------

  private void serveRead(NodeId from, ReplicaReadRequest request) {
    try {
      // Checked here, like a client's: a name that cannot be stored is bad input, not a storage
      // failure (it once logged a stack trace per request).
      RequestValidator.bucket(buckets, request.getBucket());
      RequestValidator.key(request.getKey(), settings);
    } catch (RequestException e) {
      remoteWarnings.warn(
          "malformed-replica-read", "refusing malformed replica read from {}: {}", from, e.getMessage());
      send(
          from,
          Replies.envelope(0)
              .setReplicaReadResponse(
                  ReplicaReadResponse.newBuilder()
                      .setOpId(request.getOpId())
                      .setCode(StatusCode.INVALID_ARGUMENT)
                      .setError(e.getMessage()))
              .build());
      return;
    }
    DataKey dataKey = dataKey(request.getPartition(), request.getBucket(), request.getKey());
    boolean digestOnly = request.getDigestOnly();
    storage.execute(
        () -> {
          // The stored bytes as they are: the coordinator decodes (and checks the CRC of) the one
          // record it uses; a digest is computed here, beside the read.
          byte[] record = replica.readRecord(dataKey);
          ReplicaReadResponse.Builder b =
              ReplicaReadResponse.newBuilder()
                  .setOpId(request.getOpId())
                  .setCode(StatusCode.OK)
                  .setDigest(RecordDigest.of(record));
          if (!digestOnly && record != null) {
            b.setRecord(UnsafeByteOperations.unsafeWrap(record));
          }
          return b;
        },
        (b, error) -> {
          if (error != null) {
            b =
                ReplicaReadResponse.newBuilder()
                    .setOpId(request.getOpId())
                    .setCode(storageFailure(error, "read", dataKey))
                    .setError(String.valueOf(error.getMessage()));
          }
          send(from, Replies.envelope(0).setReplicaReadResponse(b).build());
        });
  }

  /**
   * The data key of a replica request. The partition comes from the coordinator; a replica
   * checks it is in range (a bad one would only misfile the key, never lose another).
   */
  private DataKey dataKey(int partition, String bucket, ByteString key) {
    byte[] raw = key.toByteArray();
    if (partition < 0 || partition >= ring.partitions()) {
      partition = ring.partitionOf(bucket, raw);
    }
    return new DataKey(partition, bucket, raw);
  }

  /**
   * A storage engine's own failure (a disk error, a corrupt record) is the environment's, and its
   * message says it: no stack trace. Anything else escaping storage work is a bug: with one.
   */
  private static void logStorageFailure(String what, DataKey key, Throwable error) {
    if (error instanceof StorageException) {
      log.error("{} of {} failed: {}", what, key, error.getMessage());
    } else {
      log.error("{} of {} failed", what, key, error);
    }
  }

  /**
   * The answer for storage work that failed: a full storage queue is overload (nothing was done,
   * and it is no fault of the disk's), anything else a storage error worth a log line.
   */
  private StatusCode storageFailure(Throwable error, String what, DataKey key) {
    if (error instanceof RejectedExecutionException) {
      return StatusCode.OVERLOADED;
    }
    logStorageFailure(what, key, error);
    replica.recordFailure(what, error);
    return StatusCode.STORAGE_ERROR;
  }

  private void serveWrite(NodeId from, ReplicaWriteRequest request) {
    ReplicaWriteResponse.Builder b = ReplicaWriteResponse.newBuilder().setOpId(request.getOpId());
    BucketProperties props;
    NodeId hintFor;
    try {
      if (request.getRecord().isEmpty()) {
        throw new IllegalArgumentException("replica write without a record");
      }
      props = RequestValidator.bucket(buckets, request.getBucket());
      hintFor = request.getHintFor().isEmpty() ? null : NodeId.of(request.getHintFor());
    } catch (IllegalArgumentException | RequestException e) {
      remoteWarnings.warn(
          "malformed-replica-write", "refusing malformed replica write from {}: {}", from,
          Untrusted.escape(String.valueOf(e.getMessage())));
      b.setCode(StatusCode.INVALID_ARGUMENT).setError(String.valueOf(e.getMessage()));
      send(from, Replies.envelope(0).setReplicaWriteResponse(b).build());
      return;
    }
    DataKey dataKey = dataKey(request.getPartition(), request.getBucket(), request.getKey());
    long now = clock.currentTimeMillis();
    byte[] record = request.getRecord().toByteArray();
    storage.execute(
        () -> replica.merge(dataKey, record, props.conflictMode(), hintFor, now),
        (stored, error) -> {
          if (error instanceof MalformedVersionException) {
            remoteWarnings.warn(
                "malformed-replica-write", "refusing malformed replica write from {}: {}", from,
                Untrusted.escape(String.valueOf(error.getMessage())));
            b.setCode(StatusCode.INVALID_ARGUMENT).setError(String.valueOf(error.getMessage()));
          } else if (error != null) {
            b.setCode(storageFailure(error, "replica write", dataKey))
                .setError(String.valueOf(error.getMessage()));
          } else {
            b.setCode(StatusCode.OK);
          }
          send(from, Replies.envelope(0).setReplicaWriteResponse(b).build());
        });
  }

  private void serveForward(NodeId from, ForwardRequest request) {
    long opId = request.getOpId();
    Consumer<Envelope> relay =
        response -> {
          ForwardResponse.Builder b = ForwardResponse.newBuilder().setOpId(opId);
          switch (response.getBodyCase()) {
            case PUT_RESPONSE -> b.setPut(response.getPutResponse());
            case DELETE_RESPONSE -> b.setDelete(response.getDeleteResponse());
            default -> b.setError(response.getError());
          }
          send(from, Replies.envelope(0).setForwardResponse(b).build());
        };
    try {
      WriteCommand command;
      switch (request.getRequestCase()) {
        case PUT -> command = WriteCommand.of(request.getPut());
        case DELETE -> command = WriteCommand.of(request.getDelete());
        default -> {
          relay.accept(Replies.error(0, StatusCode.UNKNOWN_MESSAGE, "empty forwarded request"));
          return;
        }
      }
      // uint32 on the wire: compared unsigned, so 2^31 and above are out of range, not negative.
      int partition = request.getPartition();
      write(0, command, Integer.compareUnsigned(partition, ring.partitions()) < 0 ? partition : -1,
          relay, false);
    } catch (RequestException e) {
      relay.accept(Replies.error(0, e.toResponse()));
    }
  }

  /** Sends to a peer, or loops back to this node on a later turn of the protocol thread. */
  @Override
  public void send(NodeId to, Envelope message) {
    if (to.equals(self)) {
      scheduler.schedule(0, () -> onPeerMessage(self, message));
    } else {
      peers.send(to, message);
    }
  }
}

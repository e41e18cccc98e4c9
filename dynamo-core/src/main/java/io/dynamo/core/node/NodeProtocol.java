package io.dynamo.core.node;

import io.dynamo.core.coordinator.Coordinator;
import io.dynamo.core.handoff.HintedHandoff;
import io.dynamo.core.log.RateLimitedLog;
import io.dynamo.core.monitor.PeerHealth;
import io.dynamo.core.monitor.PeerMonitor;
import io.dynamo.core.monitor.PeerVerdicts;
import io.dynamo.core.monitor.PeerView;
import io.dynamo.core.quorum.ReplicaPlan;
import io.dynamo.core.replica.ReplicaService;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.view.ClusterView;
import io.dynamo.core.view.ViewHolder;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.StatusCode;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol of one node, or of one shard of it: a thin dispatcher that hands client requests
 * and peer messages to the services that handle them. {@link Coordinator} coordinates client
 * requests under a sloppy quorum, {@link ReplicaService} serves this node's replica of the data,
 * {@link PeerMonitor} heartbeats the peers and runs the failure detector, and {@link HintedHandoff}
 * hands hints back to home replicas. Every method runs on the shard's protocol thread (see {@link
 * Scheduler}); storage work goes through the {@link StorageExecutor}, messages through the {@link
 * PeerSink}, so the same code runs under Netty and under the deterministic simulator.
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
  private final ViewHolder views;
  private final ProtocolSettings settings;
  private final Scheduler scheduler;
  private final PeerSink peers;
  private final LocalReplica replica;
  private final int shard;
  private final OperationTable operations;
  /** Warnings caused by what peers send: rate-limited, since a flood of bad input must not flood the log. */
  private final RateLimitedLog remoteWarnings;
  private final PeerMonitor monitor;
  private final Coordinator coordinator;
  private final HintedHandoff handoff;
  private final OperatorRequests operator;
  private final PeerRoutes routes = new PeerRoutes();
  private io.dynamo.core.membership.MembershipAdmin admin;
  private io.dynamo.core.antientropy.AntiEntropyService antiEntropy;
  private boolean started;
  private io.dynamo.core.membership.MembershipService membership;

  /**
   * Shard {@code shard} of {@code shards} of a node (0 of 1 for a node run as one shard). Every shard of a node gets the same {@code
   * health} and {@code verdicts}; only shard 0 feeds and evaluates the detector.
   */
  public NodeProtocol(
      NodeId self,
      ViewHolder views,
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
    this.self = self;
    this.views = views;
    this.settings = settings;
    this.scheduler = scheduler;
    this.peers = peers;
    this.replica = replica;
    this.shard = shard;
    this.operations = new OperationTable(shard, shards, clock, scheduler);
    this.remoteWarnings = RateLimitedLog.of(log, clock::monotonicMillis);
    this.monitor =
        new PeerMonitor(
            self, List.copyOf(views.current().known()), clock, scheduler, peers, health, verdicts,
            settings.heartbeatIntervalMillis());
    this.coordinator =
        new Coordinator(
            self, views, buckets, settings, clock, scheduler, storage, replica, this, operations,
            monitor::isUp);
    ReplicaService replicas =
        new ReplicaService(self, views, buckets, settings, clock, storage, replica, this, remoteWarnings);
    this.handoff = new HintedHandoff(self, views, buckets, clock, replica, storage, this, settings);
    this.operator = new OperatorRequests(this, views, buckets, settings, clock, storage, replica);
    routes
        .on(Envelope.BodyCase.HEARTBEAT, (from, m) -> monitor.heard(from))
        .on(Envelope.BodyCase.REPLICA_READ_REQUEST,
            (from, m) -> replicas.serveRead(from, m.getReplicaReadRequest()))
        .on(Envelope.BodyCase.REPLICA_WRITE_REQUEST,
            (from, m) -> replicas.serveWrite(from, m.getReplicaWriteRequest()))
        .on(Envelope.BodyCase.FORWARD_REQUEST,
            (from, m) -> coordinator.serveForward(from, m.getForwardRequest()))
        .on(Envelope.BodyCase.REPLICA_READ_RESPONSE,
            (from, m) -> operations.deliver(from, m.getReplicaReadResponse().getOpId(), m))
        .on(Envelope.BodyCase.REPLICA_WRITE_RESPONSE,
            (from, m) -> operations.deliver(from, m.getReplicaWriteResponse().getOpId(), m))
        .on(Envelope.BodyCase.FORWARD_RESPONSE,
            (from, m) -> operations.deliver(from, m.getForwardResponse().getOpId(), m));
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
    monitor.start();
    if (membership != null) {
      membership.start();
    }
    if (antiEntropy != null) {
      antiEntropy.start();
    }
    if (settings.handoffEnabled()) {
      handoff.start(scheduler, this::isUp);
    }
  }

  public NodeId self() {
    return self;
  }

  /**
   * Makes shard 0 the home of the node's membership: gossip and transfer messages go to {@code
   * membership}, and operator requests about membership to {@code admin}. Call before {@link
   * #start}; {@link #start} starts it.
   */
  public void attach(
      io.dynamo.core.membership.MembershipService membership,
      io.dynamo.core.membership.MembershipAdmin admin) {
    if (shard != 0) {
      throw new IllegalStateException("membership runs on shard 0");
    }
    this.membership = membership;
    this.admin = admin;
    for (Envelope.BodyCase body : List.of(
        Envelope.BodyCase.GOSSIP_DIGEST, Envelope.BodyCase.GOSSIP_DELTA,
        Envelope.BodyCase.TRANSFER_CHUNK_REQUEST, Envelope.BodyCase.TRANSFER_CHUNK,
        Envelope.BodyCase.TRANSFER_ERROR, Envelope.BodyCase.TRANSFER_CLOSE)) {
      routes.on(body, membership::onPeerMessage);
    }
  }

  /**
   * Makes shard 0 the home of the node's anti-entropy: its peer messages go to {@code service},
   * and so do operators' repair requests. Call before {@link #start}; {@link #start} starts it.
   */
  public void attachAntiEntropy(io.dynamo.core.antientropy.AntiEntropyService service) {
    if (shard != 0) {
      throw new IllegalStateException("anti-entropy runs on shard 0");
    }
    this.antiEntropy = service;
    for (Envelope.BodyCase body : List.of(
        Envelope.BodyCase.AE_TREE_REQUEST, Envelope.BodyCase.AE_TREE_RESPONSE,
        Envelope.BodyCase.AE_KEYS_REQUEST, Envelope.BodyCase.AE_KEYS_RESPONSE,
        Envelope.BodyCase.AE_RECORDS, Envelope.BodyCase.AE_FETCH_REQUEST,
        Envelope.BodyCase.AE_RECORDS_ACK, Envelope.BodyCase.AE_GC_POLL,
        Envelope.BodyCase.AE_GC_POLL_RESPONSE, Envelope.BodyCase.AE_GC_PURGE)) {
      routes.on(body, service::onMessage);
    }
  }

  /** The node's anti-entropy, on shard 0 once attached; null elsewhere. */
  public io.dynamo.core.antientropy.AntiEntropyService antiEntropy() {
    return antiEntropy;
  }

  /** The ring of the current view. */
  public Ring ring() {
    return views.current().ring();
  }

  /** The view this node currently follows. */
  public ClusterView view() {
    return views.current();
  }

  /**
   * The cluster changed: every service follows {@code next}, which the node's {@link ViewHolder}
   * already holds (requests read it from there). Call on this shard's protocol thread, on every
   * shard of the node, after {@link ViewHolder#swap}: the monitor heartbeats the new members and
   * forgets removed ones, and handoff sends hints held for removed members to their keys' new
   * homes. A view that no longer has this node as a member leaves it serving what it holds.
   */
  public void onViewChanged(ClusterView next) {
    monitor.onViewChanged(next);
    if (antiEntropy != null) {
      antiEntropy.onViewChanged(next);
    }
    if (started && settings.handoffEnabled()) {
      handoff.onViewChanged();
    }
  }

  public int shard() {
    return shard;
  }

  /** Operations waiting for peers, for tests and metrics. */
  public int pendingOperations() {
    return operations.size();
  }

  /** Whether this node believes {@code node} is up; see {@link PeerMonitor#isUp}. */
  public boolean isUp(NodeId node) {
    return monitor.isUp(node);
  }

  /** The failure detector's suspicion of {@code node} at its last evaluation, for operators. */
  public double phi(NodeId node) {
    return monitor.phi(node);
  }

  /** This node's view of every peer. Call on the protocol thread. */
  public List<PeerView> peerViews() {
    return monitor.peerViews();
  }

  /** Failed local storage operations, node-wide. */
  public LocalReplica.StorageFailures storageFailures() {
    return replica.failures();
  }

  /** Hints kept for targets that did not acknowledge a write in time, since start. */
  public long missedAckHints() {
    return coordinator.missedAckHints();
  }

  /** This shard's coordinator counts (forwarded requests); safe to read from any thread. */
  public io.dynamo.core.coordinator.CoordinatorCounters coordinatorCounters() {
    return coordinator.counters();
  }

  /** Writes that left a key past its bucket's sibling or record-size warn level, since start. */
  public long keysPastWarning() {
    return coordinator.keysPastWarning();
  }

  /** The replicas a request for this key goes to now, given whom this node believes up. */
  ReplicaPlan plan(int partition, int n) {
    return coordinator.plan(partition, n);
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
      if (admin != null && io.dynamo.core.membership.MembershipAdmin.handles(request)) {
        admin.handle(request, reply);
        return;
      }
      if (request.hasRepairRequest() || request.hasRepairStatusRequest()) {
        repairRequest(request, reply);
        return;
      }
      if (views.current().version() == 0 && isDataRequest(request)) {
        throw new RequestException(
            StatusCode.QUORUM_UNAVAILABLE,
            "node " + self + " has not found its cluster yet (it gossips with its seeds)");
      }
      switch (request.getBodyCase()) {
        case GET_REQUEST -> coordinator.get(requestId, request.getGetRequest(), partition, reply);
        case PUT_REQUEST ->
            coordinator.write(requestId, WriteCommand.of(request.getPutRequest()), partition, reply, true);
        case DELETE_REQUEST ->
            coordinator.write(requestId, WriteCommand.of(request.getDeleteRequest()), partition, reply, true);
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


  private void repairRequest(Envelope request, Consumer<Envelope> reply) {
    long id = request.getRequestId();
    if (antiEntropy == null) {
      throw new RequestException(
          StatusCode.INVALID_ARGUMENT, "anti-entropy runs on shard 0 of a node, not here");
    }
    if (request.hasRepairStatusRequest()) {
      reply.accept(Envelope.newBuilder().setProtocolVersion(Replies.PROTOCOL_VERSION)
          .setRequestId(id).setRepairStatusResponse(antiEntropy.status()).build());
      return;
    }
    io.dynamo.proto.v1.RepairRequest r = request.getRepairRequest();
    if (r.getHasPartition() && r.getPartition() >= views.current().ring().partitions()) {
      throw new RequestException(
          StatusCode.INVALID_ARGUMENT,
          "no partition " + Integer.toUnsignedString(r.getPartition()) + ": the ring has "
              + views.current().ring().partitions());
    }
    List<Integer> queued =
        antiEntropy.repair(r.getHasPartition() ? r.getPartition() : null, r.getEveryMemberAsked());
    reply.accept(Envelope.newBuilder().setProtocolVersion(Replies.PROTOCOL_VERSION)
        .setRequestId(id).setRepairResponse(
            io.dynamo.proto.v1.RepairResponse.newBuilder().addAllQueued(queued)).build());
  }

  private static boolean isDataRequest(Envelope request) {
    return request.hasGetRequest() || request.hasPutRequest() || request.hasDeleteRequest()
        || request.hasRouteRequest() || request.hasLocalGetRequest();
  }

  /** A message from another node (or this node's own replica answering it). */
  public void onPeerMessage(NodeId from, Envelope message) {
    if (!routes.dispatch(from, message)) {
      remoteWarnings.warn(
          "unexpected-peer-message", "ignoring unexpected {} from {}", message.getBodyCase(), from);
    }
  }

  @Override
  public long register(Operation op, long timeoutMillis) {
    return operations.register(op, timeoutMillis);
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

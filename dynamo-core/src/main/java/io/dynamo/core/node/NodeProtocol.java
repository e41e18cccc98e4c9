package io.dynamo.core.node;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.DeleteRequest;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ForwardRequest;
import io.dynamo.proto.v1.ForwardResponse;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.PutRequest;
import io.dynamo.proto.v1.ReplicaReadRequest;
import io.dynamo.proto.v1.ReplicaReadResponse;
import io.dynamo.proto.v1.ReplicaWriteRequest;
import io.dynamo.proto.v1.ReplicaWriteResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol of one node: coordinates client requests and serves its replica of the data. Every
 * method runs on the node's protocol thread (see {@link Scheduler}); storage work goes through the
 * {@link StorageExecutor}, messages through the {@link PeerSink}, so the same code runs under
 * Netty and under the deterministic simulator.
 */
public final class NodeProtocol {
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
  private final Map<Long, Pending> operations = new HashMap<>();
  private long nextOpId = 1;

  private record Pending(Operation operation, Scheduler.Cancellable timer) {}

  public NodeProtocol(
      NodeId self,
      Ring ring,
      BucketTable buckets,
      ProtocolSettings settings,
      Clock clock,
      Scheduler scheduler,
      PeerSink peers,
      StorageExecutor storage,
      LocalReplica replica) {
    if (!ring.isMember(self)) {
      throw new IllegalArgumentException("node " + self + " is not a member of the ring");
    }
    this.self = self;
    this.ring = ring;
    this.buckets = buckets;
    this.settings = settings;
    this.clock = clock;
    this.scheduler = scheduler;
    this.peers = peers;
    this.storage = storage;
    this.replica = replica;
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

  /** A client request; {@code reply} receives exactly one response envelope. */
  public void onClientRequest(Envelope request, Consumer<Envelope> reply) {
    long requestId = request.getRequestId();
    if (request.getProtocolVersion() != Replies.PROTOCOL_VERSION) {
      reply.accept(
          Replies.error(
              requestId,
              StatusCode.UNSUPPORTED_VERSION,
              "protocol version " + request.getProtocolVersion() + " is not supported; this node speaks "
                  + Replies.PROTOCOL_VERSION));
      return;
    }
    try {
      switch (request.getBodyCase()) {
        case GET_REQUEST -> get(requestId, request.getGetRequest(), reply);
        case PUT_REQUEST -> write(requestId, WriteCommand.of(request.getPutRequest()), reply, true);
        case DELETE_REQUEST ->
            write(requestId, WriteCommand.of(request.getDeleteRequest()), reply, true);
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
    }
  }

  /** A message from another node (or this node's own replica answering it). */
  public void onPeerMessage(NodeId from, Envelope message) {
    switch (message.getBodyCase()) {
      case REPLICA_READ_REQUEST -> serveRead(from, message.getReplicaReadRequest());
      case REPLICA_WRITE_REQUEST -> serveWrite(from, message.getReplicaWriteRequest());
      case FORWARD_REQUEST -> serveForward(from, message.getForwardRequest());
      case REPLICA_READ_RESPONSE -> deliver(from, message.getReplicaReadResponse().getOpId(), message);
      case REPLICA_WRITE_RESPONSE ->
          deliver(from, message.getReplicaWriteResponse().getOpId(), message);
      case FORWARD_RESPONSE -> deliver(from, message.getForwardResponse().getOpId(), message);
      default -> log.warn("ignoring unexpected {} from {}", message.getBodyCase(), from);
    }
  }

  // ---- coordination -------------------------------------------------------------------------

  private void get(long requestId, GetRequest request, Consumer<Envelope> reply) {
    String bucket = request.getBucket();
    byte[] key = request.getKey().toByteArray();
    BucketProperties props = RequestValidator.bucket(buckets, bucket);
    RequestValidator.key(key, settings);
    int r = RequestValidator.quorum("r", request.getQuorum().getR(), props.r(), props.n());
    List<NodeId> replicas = ring.preferenceList(bucket, key, props.n());
    if (replicas.size() < r) {
      throw quorumUnavailable("read", r, replicas.size());
    }
    GetOperation op = new GetOperation(requestId, replicas, r, props.conflictMode(), reply);
    long opId = register(op, settings.requestTimeoutMillis());
    ReplicaReadRequest read =
        ReplicaReadRequest.newBuilder().setOpId(opId).setBucket(bucket).setKey(request.getKey()).build();
    for (NodeId node : replicas) {
      send(node, Replies.envelope(0).setReplicaReadRequest(read).build());
    }
  }

  private void write(
      long requestId, WriteCommand command, Consumer<Envelope> reply, boolean mayForward) {
    BucketProperties props = RequestValidator.bucket(buckets, command.bucket());
    byte[] key = command.key().toByteArray();
    RequestValidator.key(key, settings);
    if (command.value().size() > props.maxValueBytes()) {
      throw new RequestException(
          StatusCode.VALUE_TOO_LARGE,
          "value of " + command.value().size() + " bytes exceeds bucket '" + command.bucket()
              + "' limit of " + props.maxValueBytes() + " bytes");
    }
    VectorClock context;
    try {
      context = VersionCodec.decodeClock(command.context().toByteArray());
    } catch (MalformedVersionException e) {
      throw new RequestException(StatusCode.BAD_CONTEXT, "context is not valid: " + e.getMessage());
    }
    int w = RequestValidator.quorum("w", command.w(), props.w(), props.n());
    int partition = ring.partitionOf(command.bucket(), key);
    List<NodeId> replicas = ring.preferenceList(partition, props.n());
    if (!replicas.contains(self)) {
      if (!mayForward) {
        throw new RequestException(
            StatusCode.INTERNAL, "forwarded write reached " + self + ", which is not a replica");
      }
      forward(requestId, replicas.get(0), command, reply);
      return;
    }
    if (replicas.size() < w) {
      throw quorumUnavailable(command.delete() ? "delete" : "write", w, replicas.size());
    }
    PutOperation op = new PutOperation(requestId, command.delete(), replicas, w, reply);
    long opId = register(op, settings.requestTimeoutMillis());
    DataKey dataKey = new DataKey(partition, command.bucket(), key);
    long now = clock.currentTimeMillis();
    byte[] value = command.value().toByteArray();
    storage.execute(
        () ->
            replica.coordinate(
                dataKey, self, now, context, command.delete(), value, props.conflictMode()),
        (written, error) -> {
          Pending pending = operations.get(opId);
          if (pending == null) {
            return; // timed out while the disk was busy
          }
          if (error != null) {
            log.error("local write of {} failed", dataKey, error);
            finish(opId);
            reply.accept(
                Replies.error(requestId, StatusCode.STORAGE_ERROR, "local write failed: " + error.getMessage()));
            return;
          }
          if (op.onLocalWrite(self, written)) {
            finish(opId);
          }
          replicate(opId, command, written.siblings(), replicas);
        });
  }

  private void replicate(
      long opId, WriteCommand command, SiblingSet siblings, List<NodeId> replicas) {
    ReplicaWriteRequest write =
        ReplicaWriteRequest.newBuilder()
            .setOpId(opId)
            .setBucket(command.bucket())
            .setKey(command.key())
            .addAllSiblings(ProtoVersions.toProto(siblings))
            .build();
    Envelope message = Replies.envelope(0).setReplicaWriteRequest(write).build();
    for (NodeId node : replicas) {
      if (!node.equals(self)) {
        send(node, message);
      }
    }
  }

  private void forward(
      long requestId, NodeId target, WriteCommand command, Consumer<Envelope> reply) {
    ForwardOperation op = new ForwardOperation(requestId, target, reply);
    // Longer than the target's own deadline, so its answer (even a failure) normally arrives first.
    long opId = register(op, settings.requestTimeoutMillis() * 3 / 2);
    ForwardRequest.Builder forward = ForwardRequest.newBuilder().setOpId(opId);
    command.addTo(forward);
    send(target, Replies.envelope(0).setForwardRequest(forward).build());
  }

  private long register(Operation op, long timeoutMillis) {
    long opId = nextOpId++;
    Scheduler.Cancellable timer =
        scheduler.schedule(
            timeoutMillis,
            () -> {
              Pending pending = operations.remove(opId);
              if (pending != null) {
                pending.operation().onTimeout();
              }
            });
    operations.put(opId, new Pending(op, timer));
    return opId;
  }

  private void deliver(NodeId from, long opId, Envelope message) {
    Pending pending = operations.get(opId);
    if (pending != null && pending.operation().onMessage(from, message)) {
      finish(opId);
    }
  }

  private void finish(long opId) {
    Pending pending = operations.remove(opId);
    if (pending != null) {
      pending.timer().cancel();
    }
  }

  private static RequestException quorumUnavailable(String what, int required, int replicas) {
    return new RequestException(
        StatusCode.QUORUM_UNAVAILABLE,
        what + " needs " + required + " replicas but the ring has only " + replicas + " for this key");
  }

  // ---- replica side -------------------------------------------------------------------------

  private void serveRead(NodeId from, ReplicaReadRequest request) {
    byte[] key = request.getKey().toByteArray();
    DataKey dataKey = new DataKey(ring.partitionOf(request.getBucket(), key), request.getBucket(), key);
    storage.execute(
        () -> replica.read(dataKey),
        (set, error) -> {
          ReplicaReadResponse.Builder b = ReplicaReadResponse.newBuilder().setOpId(request.getOpId());
          if (error != null) {
            log.error("read of {} failed", dataKey, error);
            b.setCode(StatusCode.STORAGE_ERROR).setError(String.valueOf(error.getMessage()));
          } else {
            b.setCode(StatusCode.OK).addAllSiblings(ProtoVersions.toProto(set));
          }
          send(from, Replies.envelope(0).setReplicaReadResponse(b).build());
        });
  }

  private void serveWrite(NodeId from, ReplicaWriteRequest request) {
    ReplicaWriteResponse.Builder b = ReplicaWriteResponse.newBuilder().setOpId(request.getOpId());
    SiblingSet incoming;
    BucketProperties props;
    try {
      incoming = ProtoVersions.fromProto(request.getSiblingsList());
      props = RequestValidator.bucket(buckets, request.getBucket());
    } catch (IllegalArgumentException | RequestException e) {
      log.warn("refusing malformed replica write from {}: {}", from, e.getMessage());
      b.setCode(StatusCode.INVALID_ARGUMENT).setError(String.valueOf(e.getMessage()));
      send(from, Replies.envelope(0).setReplicaWriteResponse(b).build());
      return;
    }
    byte[] key = request.getKey().toByteArray();
    DataKey dataKey = new DataKey(ring.partitionOf(request.getBucket(), key), request.getBucket(), key);
    storage.execute(
        () -> replica.merge(dataKey, incoming, props.conflictMode()),
        (stored, error) -> {
          if (error != null) {
            log.error("replica write of {} failed", dataKey, error);
            b.setCode(StatusCode.STORAGE_ERROR).setError(String.valueOf(error.getMessage()));
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
    WriteCommand command;
    switch (request.getRequestCase()) {
      case PUT -> command = WriteCommand.of(request.getPut());
      case DELETE -> command = WriteCommand.of(request.getDelete());
      default -> {
        relay.accept(Replies.error(0, StatusCode.UNKNOWN_MESSAGE, "empty forwarded request"));
        return;
      }
    }
    try {
      write(0, command, relay, false);
    } catch (RequestException e) {
      relay.accept(Replies.error(0, e.toResponse()));
    }
  }

  /** Sends to a peer, or loops back to this node on a later turn of the protocol thread. */
  private void send(NodeId to, Envelope message) {
    if (to.equals(self)) {
      scheduler.schedule(0, () -> onPeerMessage(self, message));
    } else {
      peers.send(to, message);
    }
  }
}

package io.dynamo.core.coordinator;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.dynamo.core.node.BucketProperties;
import io.dynamo.core.node.BucketTable;
import io.dynamo.core.node.OperationHost;
import io.dynamo.core.node.OperationTable;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.node.ReadPolicy;
import io.dynamo.core.node.Replies;
import io.dynamo.core.node.RequestException;
import io.dynamo.core.node.RequestValidator;
import io.dynamo.core.node.WriteCommand;
import io.dynamo.core.quorum.ReplicaPlan;
import io.dynamo.core.replica.StorageErrors;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.KeyLimitException;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.ContextLimits;
import io.dynamo.core.version.InvalidContextException;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.core.view.ViewHolder;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ForwardRequest;
import io.dynamo.proto.v1.ForwardResponse;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.ReplicaReadRequest;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinates client requests under a sloppy quorum: a get reads from the first R healthy
 * replicas of the key's extended preference list and repairs stale ones; a put or delete is
 * coordinated by a home replica (forwarded there when this node is not one), stored here first,
 * then sent to the other targets, with a hint kept for each that does not acknowledge it.
 */
public final class Coordinator {
  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

  private final NodeId self;
  private final ViewHolder views;
  private final BucketTable buckets;
  private final ProtocolSettings settings;
  private final Clock clock;
  private final StorageExecutor storage;
  private final LocalReplica replica;
  private final OperationHost host;
  private final OperationTable operations;
  private final Predicate<NodeId> isUp;
  private final Forwarding forwarding;
  private final MissedAckHints missedAcks;
  private final CoordinatorCounters counters = new CoordinatorCounters();
  private final SpeculationDelay speculation;
  // Written on this shard's thread only, read by metrics scrapes on another.
  private volatile long keysPastWarning;
  private long nextLargeKeyLogMillis;

  public Coordinator(
      NodeId self,
      ViewHolder views,
      BucketTable buckets,
      ProtocolSettings settings,
      Clock clock,
      Scheduler scheduler,
      StorageExecutor storage,
      LocalReplica replica,
      OperationHost host,
      OperationTable operations,
      Predicate<NodeId> isUp) {
    this.self = self;
    this.views = views;
    this.buckets = buckets;
    this.settings = settings;
    this.clock = clock;
    this.storage = storage;
    this.replica = replica;
    this.host = host;
    this.operations = operations;
    this.isUp = isUp;
    this.forwarding = new Forwarding(self, settings, clock, scheduler, host, operations, isUp, counters);
    this.missedAcks = new MissedAckHints(self, clock, storage, replica);
    // Until this shard has timed enough gets: a delay few gets on a quiet cluster reach.
    long maxDelay = Math.max(1, settings.requestTimeoutMillis() / 4);
    this.speculation = new SpeculationDelay(Math.min(10, maxDelay), maxDelay);
  }

  /** What this shard's coordinator counted since start (forwarded requests). */
  public CoordinatorCounters counters() {
    return counters;
  }

  /** Hints kept for targets that did not acknowledge a write in time, since start. */
  public long missedAckHints() {
    return missedAcks.kept();
  }

  /** Coordinates a client get. */
  public void get(long requestId, GetRequest request, int knownPartition, Consumer<Envelope> reply) {
    String bucket = request.getBucket();
    BucketProperties props = RequestValidator.bucket(buckets, views.current(), bucket);
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
    ReadPolicy reads = settings.reads();
    Consumer<Envelope> timedReply =
        reads.fanout() == ReadPolicy.Fanout.QUORUM && reads.speculateAfterMillis() == ReadPolicy.ADAPTIVE
            ? timed(reply)
            : reply;
    GetOperation op =
        new GetOperation(
            requestId,
            plan.targets(),
            r,
            reads.firstAsked(r, plan.targets().size()),
            props.conflictMode(),
            timedReply,
            (stale, merged) -> {
              if (settings.readRepair()) {
                sendReplicaWrite(0, stale, bucket, request.getKey(), partition,
                    UnsafeByteOperations.unsafeWrap(VersionCodec.encodeSiblings(merged)), null, false);
              }
            },
            counters::countSpeculativeRead);
    long opId = operations.register(op, settings.requestTimeoutMillis());
    // The record comes from this node when it holds a replica: a local read moves no value.
    boolean target = plan.targets().contains(self);
    if (!target) {
      counters.countForwarded(CoordinatorCounters.Op.GET);
    }
    NodeId dataNode = target ? self : plan.targets().get(0);
    op.start(
        dataNode,
        (node, digestOnly) ->
            host.send(
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
    if (op.hasSpares() && reads.speculateAfterMillis() != ReadPolicy.NEVER) {
      operations.remind(
          opId,
          reads.speculateAfterMillis() == ReadPolicy.ADAPTIVE
              ? speculation.millis()
              : reads.speculateAfterMillis());
    }
  }

  /** {@code reply}, recording how long an answered get took into the speculation delay. */
  private Consumer<Envelope> timed(Consumer<Envelope> reply) {
    long started = clock.monotonicMillis();
    return answer -> {
      if (answer.hasGetResponse()) {
        speculation.record(clock.monotonicMillis() - started);
      }
      reply.accept(answer);
    };
  }

  private int partitionOf(int known, String bucket, ByteString key) {
    return known >= 0 ? known : ring().partitionOf(bucket, key.toByteArray());
  }

  /** Coordinates a client put or delete, or forwards it to the node that should. */
  public void write(
      long requestId,
      WriteCommand command,
      int knownPartition,
      Consumer<Envelope> reply,
      boolean mayForward) {
    write(requestId, command, knownPartition, reply, mayForward ? 0 : MAX_FORWARDS);
  }

  /** Forwards a write may make in all: one, and one more by a node whose view disagrees. */
  private static final int MAX_FORWARDS = 2;

  /**
   * As above, for a write forwarded {@code forwarded} times before it reached this node (0: from
   * a client). A client's write goes to its coordinator; a forwarded one is coordinated here when
   * this node is among its targets, and forwarded once more when it is not (the views of the two
   * nodes differ during a partition move).
   */
  private void write(
      long requestId,
      WriteCommand command,
      int knownPartition,
      Consumer<Envelope> reply,
      int forwarded) {
    boolean mayForward = forwarded == 0;
    BucketProperties props = RequestValidator.bucket(buckets, views.current(), command.bucket());
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
    NodeId coordinator = forwarding.coordinatorOf(plan);
    if (!coordinator.equals(self)) {
      if (mayForward) {
        forwarding.forward(requestId, Forwarding.forwardCoordinators(plan, coordinator, command), command, partition, reply);
        return;
      }
      if (!plan.targets().contains(self) && forwarded < MAX_FORWARDS) {
        forwarding.forward(
            requestId, Forwarding.forwardCoordinators(plan, coordinator, command), command, partition,
            reply, forwarded);
        return;
      }
      if (!plan.targets().contains(self)) {
        throw new RequestException(
            StatusCode.NOT_A_REPLICA,
            "forwarded " + what + " reached " + self + ", which is not among the replicas it believes"
                + " up (the nodes' rings differ while a change spreads); nothing was written");
      }
    }
    DataKey dataKey = new DataKey(partition, command.bucket(), command.key().toByteArray());
    PutOperation op =
        new PutOperation(
            requestId, command.delete(), plan.targets(), w, reply,
            (record, missed) -> missedAcks.keep(dataKey, record, plan, missed, props.conflictMode()));
    long opId = operations.register(op, settings.requestTimeoutMillis());
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
              others.addAll(extraWriters(partition, plan));
              missedAcks.keep(dataKey, written.record(), plan, others, props.conflictMode());
            }
            return;
          }
          if (error instanceof InvalidContextException) {
            // Refused before any counter was issued: nothing was written anywhere.
            operations.finish(opId);
            reply.accept(
                Replies.error(requestId, StatusCode.BAD_CONTEXT, "context is not valid: " + error.getMessage()));
            return;
          }
          if (error instanceof RequestException refused) {
            operations.finish(opId);
            reply.accept(Replies.error(requestId, refused.toResponse()));
            return;
          }
          if (error != null) {
            operations.finish(opId);
            if (error instanceof RejectedExecutionException) {
              reply.accept(Replies.error(requestId, StatusCode.OVERLOADED, "overloaded, nothing done: storage queue full"));
              return;
            }
            if (error instanceof KeyLimitException e) {
              reply.accept(Replies.error(requestId, limitCode(e), e.getMessage()));
              return;
            }
            StorageErrors.log("local write", dataKey, error);
            replica.recordFailure("local write", error);
            // Nothing was stored here (a failed batch applies nothing): the next home replica
            // believed up can coordinate the write instead, so the client need not see the disk.
            // Only for a write taken from a client: one forwarded here goes back to its forwarder
            // as an error, so two nodes with failing disks never pass a write back and forth.
            NodeId next = mayForward ? forwarding.nextHomeAfter(plan, self) : null;
            if (next != null) {
              List<NodeId> others = new ArrayList<>(Forwarding.forwardCoordinators(plan, next, command));
              others.remove(self);
              forwarding.forward(requestId, others, command, partition, reply);
              return;
            }
            reply.accept(
                Replies.error(requestId, StatusCode.STORAGE_ERROR, "local write failed: " + error.getMessage()));
            return;
          }
          if (props.keyLimits().pastWarning(written.siblings().versions().size(), written.record().length)) {
            warnLargeKey(dataKey, written);
          }
          // A partition being copied to a new owner (or just switched from an old one) is written
          // there too, uncounted, so the copy misses nothing written after its snapshot. Read now,
          // not when the write was taken: the view may have changed while it waited for the disk.
          List<NodeId> extras = extraWriters(partition, plan);
          op.alsoWaitFor(extras);
          if (op.onLocalWrite(self, written)) {
            operations.finish(opId);
          }
          // The bytes just stored go to every target as they are: encoded once, never copied.
          ByteString record = UnsafeByteOperations.unsafeWrap(written.record());
          for (NodeId node : plan.targets()) {
            if (!node.equals(self)) {
              NodeId standsInFor = plan.hintTarget(node);
              sendReplicaWrite(opId, node, command.bucket(), command.key(), partition, record,
                  standsInFor, standsInFor == null);
            }
          }
          for (NodeId node : extras) {
            sendReplicaWrite(opId, node, command.bucket(), command.key(), partition, record, null, false);
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
  /** The replicas a request for this key goes to now, given whom this node believes up. */
  public ReplicaPlan plan(int partition, int n) {
    return ReplicaPlan.of(ring().extendedPreferenceList(partition), n, isUp);
  }
  /** A write another node forwarded to this one to coordinate. */
  public void serveForward(NodeId from, ForwardRequest request) {
    long opId = request.getOpId();
    Consumer<Envelope> relay =
        response -> {
          ForwardResponse.Builder b = ForwardResponse.newBuilder().setOpId(opId);
          switch (response.getBodyCase()) {
            case PUT_RESPONSE -> b.setPut(response.getPutResponse());
            case DELETE_RESPONSE -> b.setDelete(response.getDeleteResponse());
            default -> b.setError(response.getError());
          }
          host.send(from, Replies.envelope(0).setForwardResponse(b).build());
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
      int hops = Math.min(request.getHops(), MAX_FORWARDS - 1) + 1;
      write(0, command, Integer.compareUnsigned(partition, ring().partitions()) < 0 ? partition : -1,
          relay, hops);
    } catch (RequestException e) {
      relay.accept(Replies.error(0, e.toResponse()));
    }
  }

  /** {@code homeCopy}: counted towards W as a home replica's copy (see ReplicaWriteRequest). */
  private void sendReplicaWrite(
      long opId, NodeId to, String bucket, ByteString key, int partition, ByteString record,
      NodeId hintFor, boolean homeCopy) {
    host.send(to, Replies.replicaWrite(opId, bucket, key, partition, record, hintFor, homeCopy));
  }

  /** The nodes besides the plan's targets that writes of {@code partition} go to now. */
  private List<NodeId> extraWriters(int partition, ReplicaPlan plan) {
    List<NodeId> extra = views.current().extraWriters(partition);
    if (extra.isEmpty()) {
      return List.of();
    }
    List<NodeId> out = new ArrayList<>(extra);
    out.removeAll(plan.targets());
    out.remove(self);
    return out;
  }

  /** The ring of the current view: read per request, never kept. */
  private Ring ring() {
    return views.current().ring();
  }
}

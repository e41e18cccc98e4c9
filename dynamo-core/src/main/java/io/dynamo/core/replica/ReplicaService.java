package io.dynamo.core.replica;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.dynamo.core.log.RateLimitedLog;
import io.dynamo.core.log.Untrusted;
import io.dynamo.core.node.BucketProperties;
import io.dynamo.core.node.BucketTable;
import io.dynamo.core.node.OperationHost;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.node.Replies;
import io.dynamo.core.node.RequestException;
import io.dynamo.core.node.RequestValidator;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.RecordDigest;
import io.dynamo.core.view.ClusterView;
import io.dynamo.core.view.ViewHolder;
import io.dynamo.proto.v1.ReplicaReadRequest;
import io.dynamo.proto.v1.ReplicaReadResponse;
import io.dynamo.proto.v1.ReplicaWriteRequest;
import io.dynamo.proto.v1.ReplicaWriteResponse;
import io.dynamo.proto.v1.StatusCode;

/**
 * The replica side of a node: serves the reads and writes coordinators (this node's own included)
 * send to its copy of the data. Everything a peer sends is checked before it reaches storage.
 */
public final class ReplicaService {
  private final NodeId self;
  private final ViewHolder views;
  private final BucketTable buckets;
  private final ProtocolSettings settings;
  private final Clock clock;
  private final StorageExecutor storage;
  private final LocalReplica replica;
  private final OperationHost host;
  /** Warnings caused by what peers send: rate-limited, since a flood of bad input must not flood the log. */
  private final RateLimitedLog remoteWarnings;

  public ReplicaService(
      NodeId self,
      ViewHolder views,
      BucketTable buckets,
      ProtocolSettings settings,
      Clock clock,
      StorageExecutor storage,
      LocalReplica replica,
      OperationHost host,
      RateLimitedLog remoteWarnings) {
    this.self = self;
    this.views = views;
    this.buckets = buckets;
    this.settings = settings;
    this.clock = clock;
    this.storage = storage;
    this.replica = replica;
    this.host = host;
    this.remoteWarnings = remoteWarnings;
  }

  public void serveRead(NodeId from, ReplicaReadRequest request) {
    try {
      // Checked here, like a client's: a name that cannot be stored is bad input, not a storage
      // failure (it once logged a stack trace per request).
      RequestValidator.bucket(buckets, views.current(), request.getBucket());
      RequestValidator.key(request.getKey(), settings);
    } catch (RequestException e) {
      remoteWarnings.warn(
          "malformed-replica-read", "refusing malformed replica read from {}: {}", from, e.getMessage());
      host.send(
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
                    .setCode(StorageErrors.code(error, "read", dataKey, replica))
                    .setError(String.valueOf(error.getMessage()));
          }
          host.send(from, Replies.envelope(0).setReplicaReadResponse(b).build());
        });
  }

  public void serveWrite(NodeId from, ReplicaWriteRequest request) {
    ReplicaWriteResponse.Builder b = ReplicaWriteResponse.newBuilder().setOpId(request.getOpId());
    BucketProperties props;
    NodeId hintFor;
    try {
      if (request.getRecord().isEmpty()) {
        throw new IllegalArgumentException("replica write without a record");
      }
      props = RequestValidator.bucket(buckets, views.current(), request.getBucket());
      hintFor = request.getHintFor().isEmpty() ? null : NodeId.of(request.getHintFor());
    } catch (IllegalArgumentException | RequestException e) {
      remoteWarnings.warn(
          "malformed-replica-write", "refusing malformed replica write from {}: {}", from,
          Untrusted.escape(String.valueOf(e.getMessage())));
      b.setCode(StatusCode.INVALID_ARGUMENT).setError(String.valueOf(e.getMessage()));
      host.send(from, Replies.envelope(0).setReplicaWriteResponse(b).build());
      return;
    }
    DataKey dataKey = dataKey(request.getPartition(), request.getBucket(), request.getKey());
    if (request.getHomeCopy() && !holds(dataKey.partition(), props.n())) {
      // A coordinator with an older ring thinks this node a home replica of a partition it has
      // handed away (or not taken yet). Acknowledged here, the write would count towards W on a
      // node that may leave and be stopped before its copy is handed on: refused, the coordinator
      // counts a failure. Read repairs and hint deliveries are taken as before: they count towards
      // nothing, and may be how a write reaches the partition's owners.
      b.setCode(StatusCode.NOT_A_REPLICA)
          .setError(self + " does not hold partition " + dataKey.partition() + " in its view "
              + views.current().version());
      host.send(from, Replies.envelope(0).setReplicaWriteResponse(b).build());
      return;
    }
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
            b.setCode(StorageErrors.code(error, "replica write", dataKey, replica))
                .setError(String.valueOf(error.getMessage()));
          } else {
            b.setCode(StatusCode.OK);
          }
          host.send(from, Replies.envelope(0).setReplicaWriteResponse(b).build());
        });
  }

  /**
   * The data key of a replica request. The partition comes from the coordinator; a replica
   * checks it is in range (a bad one would only misfile the key, never lose another).
   */
  private DataKey dataKey(int partition, String bucket, ByteString key) {
    byte[] raw = key.toByteArray();
    if (partition < 0 || partition >= ring().partitions()) {
      partition = ring().partitionOf(bucket, raw);
    }
    return new DataKey(partition, bucket, raw);
  }

  /** Whether this node is a home replica of {@code partition} for N copies, or a move's writer. */
  private boolean holds(int partition, int n) {
    ClusterView view = views.current();
    return view.ring().preferenceList(partition, n).contains(self)
        || view.extraWriters(partition).contains(self);
  }

  /** The ring of the current view: read per request, never kept. */
  private Ring ring() {
    return views.current().ring();
  }
}

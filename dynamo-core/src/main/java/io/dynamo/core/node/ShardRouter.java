package io.dynamo.core.node;

import io.dynamo.core.ring.Ring;
import io.dynamo.proto.v1.Envelope;

/**
 * Which protocol shard of a node a message belongs to. Shard {@code i} of {@code count} owns the
 * partitions {@code p} with {@code p % count == i}, and the operations whose ids it issued ({@code
 * id % count == i}). Requests carry or imply a partition; answers carry an operation id; the rest
 * (heartbeats, status, hints) goes to shard 0, which runs the node-wide work. Pure: a driver calls
 * it on the I/O thread that decoded a message, and runs the message on the shard's thread.
 */
public final class ShardRouter {
  /** Partition not computed yet. */
  public static final int UNKNOWN_PARTITION = -1;

  /** Operation ids keep the shard in their low bits; this bounds how many a node runs. */
  public static final int MAX_SHARDS = 64;

  private final java.util.function.Supplier<Ring> ring;
  private final int count;

  public ShardRouter(Ring ring, int count) {
    this(() -> ring, count);
  }

  /** A router over the ring of the node's current view, read per message. */
  public ShardRouter(java.util.function.Supplier<Ring> ring, int count) {
    if (count < 1 || count > MAX_SHARDS) {
      throw new IllegalArgumentException("shard count must be 1 to " + MAX_SHARDS + ": " + count);
    }
    this.ring = ring;
    this.count = count;
  }

  public int count() {
    return count;
  }

  public int shardOfPartition(int partition) {
    return partition < 0 ? 0 : partition % count;
  }

  /**
   * The partition of a client request's key (gets, puts, deletes), so that the shard need not
   * hash it again; {@link #UNKNOWN_PARTITION} for requests without a key.
   */
  public int partitionOfClientRequest(Envelope request) {
    return switch (request.getBodyCase()) {
      case GET_REQUEST ->
          ring.get().partitionOf(request.getGetRequest().getBucket(), request.getGetRequest().getKey().toByteArray());
      case PUT_REQUEST ->
          ring.get().partitionOf(request.getPutRequest().getBucket(), request.getPutRequest().getKey().toByteArray());
      case DELETE_REQUEST ->
          ring.get().partitionOf(
              request.getDeleteRequest().getBucket(), request.getDeleteRequest().getKey().toByteArray());
      default -> UNKNOWN_PARTITION;
    };
  }

  /** The shard of a message from a peer. */
  public int shardOfPeerMessage(Envelope message) {
    return switch (message.getBodyCase()) {
      case REPLICA_READ_REQUEST -> partitionShard(message.getReplicaReadRequest().getPartition());
      case REPLICA_WRITE_REQUEST -> partitionShard(message.getReplicaWriteRequest().getPartition());
      case FORWARD_REQUEST -> partitionShard(message.getForwardRequest().getPartition());
      case REPLICA_READ_RESPONSE -> opShard(message.getReplicaReadResponse().getOpId());
      case REPLICA_WRITE_RESPONSE -> opShard(message.getReplicaWriteResponse().getOpId());
      case FORWARD_RESPONSE -> opShard(message.getForwardResponse().getOpId());
      default -> 0;
    };
  }

  private int partitionShard(int partition) {
    // uint32 on the wire: a value past Integer.MAX_VALUE arrives negative.
    return partition < 0 || partition >= ring.get().partitions() ? 0 : partition % count;
  }

  private int opShard(long opId) {
    return (int) Long.remainderUnsigned(opId, count);
  }
}

package io.dynamo.server.metrics;

import io.dynamo.core.coordinator.CoordinatorCounters;
import io.dynamo.server.transport.Admission;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The node-wide figures {@link NodeMeters} reads at each scrape, summed over shards and connections
 * by the server. Every function must be safe to call from any thread and must not block.
 *
 * @param admission client requests admitted, in flight and refused
 * @param storageFailures local storage operations that failed
 * @param missedAckHints hints kept for replicas believed up that did not acknowledge in time
 * @param keysPastWarning writes that left a key past its bucket's warn levels
 * @param peerMessagesDropped messages to peers dropped because the peer was not keeping up
 * @param clientPendingFrameBytes bytes client connections hold in incomplete frames
 * @param peerPendingFrameBytes bytes peer connections hold in incomplete frames
 * @param forwarded requests not sent straight to the key's replicas, by operation
 *     ({@link CoordinatorCounters#forwarded})
 * @param speculativeReads replicas gets read because those asked first were slow
 *     ({@link CoordinatorCounters#speculativeReads})
 * @param storageQueueDepth storage tasks waiting for a storage thread
 * @param shards the number of protocol shards
 * @param shardPendingTasks tasks queued on a shard's loop, by shard index
 * @param viewVersion the version of the cluster view the node follows
 */
public record NodeSources(
    Admission admission,
    LongSupplier storageFailures,
    LongSupplier missedAckHints,
    LongSupplier keysPastWarning,
    LongSupplier peerMessagesDropped,
    LongSupplier clientPendingFrameBytes,
    LongSupplier peerPendingFrameBytes,
    ToLongFunction<CoordinatorCounters.Op> forwarded,
    LongSupplier speculativeReads,
    LongSupplier storageQueueDepth,
    int shards,
    IntToLongFunction shardPendingTasks,
    LongSupplier viewVersion) {}

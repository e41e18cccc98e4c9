package io.dynamo.server.config;

import io.dynamo.core.antientropy.AntiEntropySettings;
import io.dynamo.core.membership.PhiAccrualSettings;
import io.dynamo.core.node.BucketProperties;
import io.dynamo.core.node.BucketTable;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.server.storage.RocksDbTuning;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything a node is configured with, validated. Built from a properties file by {@link
 * ConfigLoader}; the keys are listed in docs/configuration.md.
 *
 * @param members the members of a new cluster (the first cluster state); empty for a node that
 *     finds its cluster through {@code seeds}
 * @param self how this node describes itself to the cluster (advertised addresses, capacity, zone)
 * @param seeds peer addresses of nodes to find the cluster through
 * @param autoJoin whether the claimant makes this node a member without an operator's commit
 * @param metricsListen where to serve Prometheus metrics over HTTP; null for no endpoint
 * @param syncWrites whether a write is acknowledged only after the RocksDB WAL is fsynced
 * @param writeAheadLog whether writes go to the RocksDB WAL at all; without it an acknowledged
 *     write lives only in memory until a flush, and a crash loses it (unsafe, for tests)
 * @param storageTuning RocksDB cache and write buffer sizes ({@code storage.block-cache-size},
 *     {@code storage.write-buffer-size})
 * @param ioThreads Netty threads that read and write connections (both listeners and peers)
 * @param requestLimits how much client work the node takes on before refusing more
 * @param network idle and stall timeouts and the budget for incomplete frames
 * @param metricsBuckets buckets whose requests are timed under their own name besides those with
 *     {@code bucket.<name>.*} entries ({@code metrics.buckets}); the rest are tagged "unknown"
 */
public record NodeConfig(
    NodeId nodeId,
    HostPort clientListen,
    HostPort peerListen,
    HostPort metricsListen,
    Path dataDir,
    int partitions,
    List<MemberConfig> members,
    MemberConfig self,
    List<HostPort> seeds,
    boolean autoJoin,
    BucketTable buckets,
    ProtocolSettings protocol,
    PhiAccrualSettings failureDetector,
    int maxFrameBytes,
    boolean syncWrites,
    boolean writeAheadLog,
    RocksDbTuning storageTuning,
    int storageThreads,
    int ioThreads,
    Duration shutdownGrace,
    RequestLimits requestLimits,
    NetworkLimits network,
    AntiEntropySettings antiEntropy,
    Set<String> metricsBuckets) {

  public NodeConfig {
    members = List.copyOf(members);
    metricsBuckets = Set.copyOf(metricsBuckets);
    seeds = List.copyOf(seeds);
  }

  public List<Member> ringMembers() {
    return members.stream().map(MemberConfig::toMember).toList();
  }

  public MemberConfig member(NodeId id) {
    return members.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
  }

  /**
   * The buckets whose request timers carry their name: those configured with {@code
   * bucket.<name>.*} and those listed in {@code metrics.buckets}. Bounded by the configuration, so
   * bucket names clients invent cannot create meters.
   */
  public Set<String> taggedBuckets() {
    Set<String> out = new HashSet<>(buckets.overrides().keySet());
    out.addAll(metricsBuckets);
    return Set.copyOf(out);
  }

  public BucketProperties defaultBucket() {
    return buckets.defaults();
  }
}

package io.dynamo.client.impl;

import io.dynamo.core.ring.Partitioner;
import io.dynamo.proto.v1.BucketReplication;
import io.dynamo.proto.v1.ClusterMapMember;
import io.dynamo.proto.v1.ClusterMapPartition;
import io.dynamo.proto.v1.ClusterMapResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster as one node described it to this client: members, where they listen, every
 * partition's owners in preference order and each bucket's N. Immutable; a refresh replaces it.
 * The partitioner is the nodes' own, so the client finds a key's partition exactly as they do.
 */
public final class ClusterMap {
  /** A member, and whether the node that answered believed it up. */
  public record Member(String nodeId, String clientAddress, boolean up) {}

  private final long ringVersion;
  private final Partitioner partitioner;
  private final List<Member> members;
  private final int[][] owners;
  private final Map<String, Integer> bucketN;
  private final int defaultN;

  private ClusterMap(
      long ringVersion, Partitioner partitioner, List<Member> members, int[][] owners,
      Map<String, Integer> bucketN, int defaultN) {
    this.ringVersion = ringVersion;
    this.partitioner = partitioner;
    this.members = members;
    this.owners = owners;
    this.bucketN = bucketN;
    this.defaultN = defaultN;
  }

  /**
   * The map in {@code r}, or null when the node has no ring yet or the answer does not hold
   * together (an owner index past the members, a partition count that does not match).
   */
  public static ClusterMap from(ClusterMapResponse r) {
    if (r.getRingVersion() == 0 || r.getMembersCount() == 0 || r.getPartitions() == 0
        || r.getOwnersCount() != r.getPartitions() || r.getDefaultN() == 0) {
      return null;
    }
    List<Member> members = new ArrayList<>();
    for (ClusterMapMember m : r.getMembersList()) {
      if (m.getClientAddress().isEmpty()) {
        return null;
      }
      members.add(new Member(m.getNodeId(), m.getClientAddress(), m.getUp()));
    }
    int[][] owners = new int[r.getPartitions()][];
    for (int p = 0; p < owners.length; p++) {
      ClusterMapPartition list = r.getOwners(p);
      owners[p] = new int[list.getOwnersCount()];
      for (int i = 0; i < owners[p].length; i++) {
        int index = list.getOwners(i);
        if (index >= members.size()) {
          return null;
        }
        owners[p][i] = index;
      }
    }
    Map<String, Integer> n = new HashMap<>();
    for (BucketReplication b : r.getBucketsList()) {
      n.put(b.getBucket(), b.getN());
    }
    return new ClusterMap(
        r.getRingVersion(), new Partitioner(r.getPartitions()), List.copyOf(members), owners,
        Map.copyOf(n), r.getDefaultN());
  }

  public long ringVersion() {
    return ringVersion;
  }

  public List<Member> members() {
    return members;
  }

  /** The bucket's replication factor N. */
  public int n(String bucket) {
    return bucketN.getOrDefault(bucket, defaultN);
  }

  /**
   * The key's home replicas, in preference order (the first N of its partition's owners); a write
   * sent to one of them is coordinated there, a get is read there.
   */
  public List<Member> homeReplicas(String bucket, byte[] key) {
    int[] list = owners[partitioner.partitionOf(bucket, key)];
    int n = Math.min(n(bucket), list.length);
    List<Member> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(members.get(list[i]));
    }
    return out;
  }
}

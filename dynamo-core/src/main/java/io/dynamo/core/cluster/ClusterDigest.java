package io.dynamo.core.cluster;

import io.dynamo.core.cluster.NodeEntry.EntryVersion;
import io.dynamo.core.cluster.RingState.RingVersion;
import io.dynamo.core.ring.NodeId;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a node holds, without the content: per node its entry version, and the ring's version and
 * tie-break. The first message of a gossip exchange.
 */
public record ClusterDigest(SortedMap<NodeId, EntryVersion> nodes, RingVersion ring) {
  public ClusterDigest {
    Objects.requireNonNull(ring, "ring");
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
  }

  public static ClusterDigest of(Map<NodeId, EntryVersion> nodes, RingVersion ring) {
    return new ClusterDigest(new TreeMap<>(nodes), ring);
  }
}

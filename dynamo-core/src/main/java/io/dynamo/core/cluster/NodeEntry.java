package io.dynamo.core.cluster;

import io.dynamo.core.log.Untrusted;
import io.dynamo.core.ring.NodeId;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What a node says about itself: where to reach it, its capacity and zone. Only that node writes
 * its entry, so entries are ordered by {@link #entryVersion()}: a greater generation (a later start
 * of the process) always wins, then the greater version within a generation. A restarted node's
 * entry therefore replaces its old one however many changes the old process made.
 *
 * <p>The generation must grow across starts even when the node lost its disk, or the cluster's copy
 * of its old entry would outrank the new one forever. The server should use its start time in
 * milliseconds (as Cassandra does), not a counter kept only on local disk.
 */
public record NodeEntry(
    NodeId id,
    String peerAddress,
    String clientAddress,
    int capacity,
    String zone,
    long generation,
    long version,
    long ringApplied,
    List<PartitionMove> copied,
    boolean autoJoin) {
  /** Longest address or zone accepted. */
  public static final int MAX_STRING = 255;

  /**
   * The order merges use: by entry version, then by content, so that two different entries a
   * misbehaving node published under one version still merge to the same one everywhere.
   */
  static final Comparator<NodeEntry> ORDER =
      Comparator.comparing(NodeEntry::entryVersion)
          .thenComparing(NodeEntry::peerAddress)
          .thenComparing(NodeEntry::clientAddress)
          .thenComparingInt(NodeEntry::capacity)
          .thenComparing(NodeEntry::zone)
          .thenComparingLong(NodeEntry::ringApplied)
          .thenComparing(NodeEntry::autoJoin)
          .thenComparing(e -> e.copied().toString());

  /** Most completed copies an entry lists: a node gains at most every partition copy once. */
  public static final int MAX_COPIED = 1 << 20;

  /** An entry with no progress to report. */
  public NodeEntry(
      NodeId id, String peerAddress, String clientAddress, int capacity, String zone,
      long generation, long version) {
    this(id, peerAddress, clientAddress, capacity, zone, generation, version, 0, List.of(), false);
  }

  public NodeEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(copied, "copied");
    if (copied.size() > MAX_COPIED) {
      throw new IllegalArgumentException("more than " + MAX_COPIED + " copies listed");
    }
    java.util.TreeSet<PartitionMove> sorted = new java.util.TreeSet<>(PartitionMove.ORDER);
    sorted.addAll(copied);
    if (sorted.size() != copied.size()) {
      throw new IllegalArgumentException("a copy listed twice by " + id);
    }
    for (PartitionMove m : sorted) {
      if (!m.to().equals(id)) {
        throw new IllegalArgumentException(id + " lists a copy made by " + m.to());
      }
    }
    copied = List.copyOf(sorted);
    if (ringApplied < 0) {
      throw new IllegalArgumentException("ring version must not be negative: " + ringApplied);
    }
    Objects.requireNonNull(peerAddress, "peerAddress");
    Objects.requireNonNull(clientAddress, "clientAddress");
    zone = zone == null ? "" : zone;
    checkAddress("peer address", peerAddress);
    checkAddress("client address", clientAddress);
    if (zone.length() > MAX_STRING) {
      throw new IllegalArgumentException("zone longer than " + MAX_STRING + " characters");
    }
    if (capacity <= 0 || capacity > 1_000_000) {
      throw new IllegalArgumentException(
          "capacity of " + id + " must be between 1 and 1000000: " + capacity);
    }
    if (generation < 0 || version < 0) {
      throw new IllegalArgumentException(
          "generation and version of " + id + " must not be negative: " + generation + "/"
              + version);
    }
  }

  /** A first entry of a generation (version 0). */
  public static NodeEntry of(
      NodeId id, String peerAddress, String clientAddress, int capacity, String zone,
      long generation) {
    return new NodeEntry(id, peerAddress, clientAddress, capacity, zone, generation, 0);
  }

  public EntryVersion entryVersion() {
    return new EntryVersion(generation, version);
  }

  /** The same node with changed fields and the next version of this generation. */
  public NodeEntry next(String peerAddress, String clientAddress, int capacity, String zone) {
    return new NodeEntry(
        id, peerAddress, clientAddress, capacity, zone, generation, version + 1, ringApplied, copied,
        autoJoin);
  }

  /** The same node reporting new progress, as the next version of this generation. */
  public NodeEntry withProgress(long ringApplied, List<PartitionMove> copied) {
    return new NodeEntry(
        id, peerAddress, clientAddress, capacity, zone, generation, version + 1, ringApplied, copied,
        autoJoin);
  }

  /** The same entry asking (or not) to be made a member by the claimant, as the next version. */
  public NodeEntry withAutoJoin(boolean autoJoin) {
    return new NodeEntry(
        id, peerAddress, clientAddress, capacity, zone, generation, version + 1, ringApplied, copied,
        autoJoin);
  }

  /** The same content under another version of this generation. */
  public NodeEntry withVersion(long version) {
    return new NodeEntry(
        id, peerAddress, clientAddress, capacity, zone, generation, version, ringApplied, copied,
        autoJoin);
  }

  /** A "host:port" string; the host is not resolved here. */
  static void checkAddress(String what, String address) {
    if (address.isEmpty()) {
      return; // not published (a node that serves no clients, or not known yet)
    }
    int colon = address.lastIndexOf(':');
    boolean ok = address.length() <= MAX_STRING && colon > 0 && colon < address.length() - 1;
    if (ok) {
      try {
        int port = Integer.parseInt(address.substring(colon + 1));
        ok = port > 0 && port <= 65535;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new IllegalArgumentException(
          what + " must be host:port: '" + Untrusted.escape(address) + "'");
    }
  }

  /** (generation, version), compared in that order. */
  public record EntryVersion(long generation, long version) implements Comparable<EntryVersion> {
    @Override
    public int compareTo(EntryVersion o) {
      int c = Long.compare(generation, o.generation);
      return c != 0 ? c : Long.compare(version, o.version);
    }

    @Override
    public String toString() {
      return generation + "." + version;
    }
  }
}

package io.dynamo.core.cluster;

import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The claimant's decisions: member statuses, Q, the largest N, who owns each partition, the moves
 * under way and the bucket defaults. Only the current claimant writes them, each commit taking the
 * next {@link #version()}. Two claimants that each committed the same version in two halves of a
 * partitioned cluster are resolved by {@link #ORDER}: by version, then claimant id, then a hash of
 * the content, so every node that sees both keeps the same one. The loser's changes are dropped
 * (its claimant re-plans from the winner).
 *
 * <p>{@link #NONE} (version 0) is the ring of a node that has not heard of one yet.
 */
public final class RingState {
  /** Most members a ring may list. */
  public static final int MAX_MEMBERS = 10_000;

  public static final RingState NONE =
      new RingState(0, null, 0, 0, Map.of(), null, List.of(), BucketDefaults.DEFAULT);

  /** Total order of ring states; the merge keeps the greater. */
  public static final Comparator<RingState> ORDER =
      Comparator.comparing(RingState::ringVersion)
          .thenComparing(RingState::canonicalBytes, java.util.Arrays::compareUnsigned);

  private static final Comparator<PendingMove> MOVE_ORDER =
      Comparator.comparingInt((PendingMove m) -> m.move().partition())
          .thenComparing(m -> m.move().from())
          .thenComparing(m -> m.move().to());

  private final long version;
  private final NodeId claimant;
  private final int partitions;
  private final int replicas;
  private final SortedMap<NodeId, MemberStatus> statuses;
  private final PartitionTable table;
  private final List<PendingMove> moves;
  private final BucketDefaults defaults;
  private byte[] canonical; // computed on first use; racy but idempotent
  private RingVersion ringVersion;

  /**
   * A ring of {@code version} by {@code claimant}. {@code table} is null until the first
   * assignment. Moves are kept sorted by partition, then nodes.
   *
   * @throws IllegalArgumentException if the parts do not fit together
   */
  public RingState(
      long version,
      NodeId claimant,
      int partitions,
      int replicas,
      Map<NodeId, MemberStatus> statuses,
      PartitionTable table,
      List<PendingMove> moves,
      BucketDefaults defaults) {
    Objects.requireNonNull(defaults, "defaults");
    this.version = version;
    this.claimant = claimant;
    this.partitions = partitions;
    this.replicas = replicas;
    this.statuses = Collections.unmodifiableSortedMap(new TreeMap<>(statuses));
    this.table = table;
    List<PendingMove> sorted = new ArrayList<>(moves);
    sorted.sort(MOVE_ORDER);
    this.moves = List.copyOf(sorted);
    this.defaults = defaults;
    validate();
  }

  private void validate() {
    if (version < 0) {
      throw new IllegalArgumentException("ring version must not be negative: " + version);
    }
    if (version == 0) {
      if (claimant != null || partitions != 0 || replicas != 0 || !statuses.isEmpty()
          || table != null || !moves.isEmpty() || !defaults.equals(BucketDefaults.DEFAULT)) {
        throw new IllegalArgumentException("ring version 0 must be empty");
      }
      return;
    }
    Objects.requireNonNull(claimant, "claimant");
    if (partitions < 1 || partitions > 1 << 20) {
      throw new IllegalArgumentException("partition count must be 1 to 1048576: " + partitions);
    }
    if (replicas < 1 || replicas > 16) {
      throw new IllegalArgumentException("replicas must be 1 to 16: " + replicas);
    }
    if (defaults.n() > replicas) {
      throw new IllegalArgumentException(
          "default n=" + defaults.n() + " exceeds replicas=" + replicas);
    }
    if (statuses.size() > MAX_MEMBERS) {
      throw new IllegalArgumentException("more than " + MAX_MEMBERS + " members");
    }
    if (table != null) {
      if (table.partitions() != partitions || table.replicas() != replicas) {
        throw new IllegalArgumentException(
            "table of Q=" + table.partitions() + ", replicas=" + table.replicas()
                + " in a ring of Q=" + partitions + ", replicas=" + replicas);
      }
      for (NodeId owner : table.nodes()) {
        MemberStatus status = statuses.get(owner);
        if (status == null || !status.mayOwn()) {
          throw new IllegalArgumentException(owner + " owns partitions with status " + status);
        }
      }
    }
    if (moves.size() > partitions * replicas) {
      throw new IllegalArgumentException("more moves than partition copies: " + moves.size());
    }
    Set<PartitionMove> seen = new HashSet<>();
    for (PendingMove m : moves) {
      PartitionMove move = m.move();
      if (move.partition() >= partitions) {
        throw new IllegalArgumentException("move of partition " + move.partition() + " >= Q");
      }
      if (!statuses.containsKey(move.from()) || !statuses.containsKey(move.to())) {
        throw new IllegalArgumentException("move between non-members: " + move);
      }
      if (!seen.add(move)) {
        throw new IllegalArgumentException("move listed twice: " + move);
      }
    }
  }

  /** The first ring of a new cluster, committed by {@code claimant}: version 1, no table yet. */
  public static RingState initial(
      NodeId claimant, int partitions, int replicas, BucketDefaults defaults) {
    return new RingState(
        1, claimant, partitions, replicas, Map.of(claimant, MemberStatus.VALID), null, List.of(),
        defaults);
  }

  public long version() {
    return version;
  }

  /** Who committed this version; null only for {@link #NONE}. */
  public NodeId claimant() {
    return claimant;
  }

  /** Q; 0 for {@link #NONE}. */
  public int partitions() {
    return partitions;
  }

  public int replicas() {
    return replicas;
  }

  /** Every member's status, by id. A node with a self entry but no status here is joining. */
  public SortedMap<NodeId, MemberStatus> statuses() {
    return statuses;
  }

  /** The owners table, or null before the first assignment. */
  public PartitionTable table() {
    return table;
  }

  public List<PendingMove> moves() {
    return moves;
  }

  public BucketDefaults defaults() {
    return defaults;
  }

  public boolean isNone() {
    return version == 0;
  }

  /** (version, claimant, content hash): the ring's part of a gossip digest. */
  public RingVersion ringVersion() {
    RingVersion v = ringVersion;
    if (v == null) {
      v = isNone() ? RingVersion.NONE : new RingVersion(version, claimant, contentHash());
      ringVersion = v;
    }
    return v;
  }

  /** First 8 bytes of the SHA-256 of the canonical encoding. */
  public long contentHash() {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(canonicalBytes());
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xff);
      }
      return h;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  byte[] canonicalBytes() {
    byte[] b = canonical;
    if (b == null) {
      b = ClusterStateCodec.ringToProto(this).toByteArray();
      canonical = b;
    }
    return b;
  }

  /** The greater of the two by {@link #ORDER}. */
  public RingState max(RingState other) {
    return ORDER.compare(this, other) >= 0 ? this : other;
  }

  /** A builder for the next version, starting from this one's content. */
  public Builder edit() {
    if (isNone()) {
      throw new IllegalStateException("no ring to edit: start with RingState.initial");
    }
    return new Builder(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RingState r && version == r.version
        && Objects.equals(claimant, r.claimant) && partitions == r.partitions
        && replicas == r.replicas && statuses.equals(r.statuses)
        && Objects.equals(table, r.table) && moves.equals(r.moves)
        && defaults.equals(r.defaults);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, claimant, statuses, table, moves, defaults);
  }

  @Override
  public String toString() {
    return "Ring{v" + version + " by " + claimant + ", Q=" + partitions + ", replicas=" + replicas
        + ", members=" + statuses.size() + ", moves=" + moves.size() + "}";
  }

  /** The ring's version and tie-break, ordered as {@link #ORDER} orders rings with them. */
  public record RingVersion(long version, NodeId claimant, long contentHash)
      implements Comparable<RingVersion> {
    public static final RingVersion NONE = new RingVersion(0, null, 0);

    @Override
    public int compareTo(RingVersion o) {
      int c = Long.compare(version, o.version);
      if (c != 0) {
        return c;
      }
      if (claimant == null || o.claimant == null) {
        return claimant == null ? (o.claimant == null ? 0 : -1) : 1;
      }
      c = claimant.compareTo(o.claimant);
      return c != 0 ? c : Long.compareUnsigned(contentHash, o.contentHash);
    }
  }

  /** Changes to commit as the next version. */
  public static final class Builder {
    private final RingState base;
    private final TreeMap<NodeId, MemberStatus> statuses;
    private PartitionTable table;
    private List<PendingMove> moves;
    private BucketDefaults defaults;

    private Builder(RingState base) {
      this.base = base;
      this.statuses = new TreeMap<>(base.statuses);
      this.table = base.table;
      this.moves = base.moves;
      this.defaults = base.defaults;
    }

    public Builder status(NodeId node, MemberStatus status) {
      statuses.put(node, Objects.requireNonNull(status, "status"));
      return this;
    }

    public Builder table(PartitionTable table) {
      this.table = table;
      return this;
    }

    public Builder moves(List<PendingMove> moves) {
      this.moves = List.copyOf(moves);
      return this;
    }

    public Builder defaults(BucketDefaults defaults) {
      this.defaults = Objects.requireNonNull(defaults, "defaults");
      return this;
    }

    /** The next version, written by {@code claimant}. */
    public RingState commit(NodeId claimant) {
      return new RingState(
          base.version + 1, claimant, base.partitions, base.replicas, statuses, table, moves,
          defaults);
    }
  }
}

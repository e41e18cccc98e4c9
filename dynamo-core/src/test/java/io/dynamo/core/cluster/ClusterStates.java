package io.dynamo.core.cluster;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Random cluster states over a small world of nodes, drawn from one seeded {@link Random}. In an
 * honest world an entry's content is a function of (node, generation, version) and a ring's of
 * (version, claimant), as when every writer follows the rules; a dishonest world also publishes
 * different contents under one version, which the merge must still order the same everywhere.
 */
final class ClusterStates {
  static final int NODES = 6;

  private final Random random;
  private final boolean honest;

  ClusterStates(long seed, boolean honest) {
    this.random = new Random(seed);
    this.honest = honest;
  }

  static NodeId node(int i) {
    return NodeId.of("n" + i);
  }

  NodeEntry entry(int node, long generation, long version) {
    int variant = honest ? (int) ((node * 31 + generation * 7 + version) % 3) : random.nextInt(3);
    return new NodeEntry(
        node(node), "10.0.0." + node + ":" + (7000 + variant), "10.0.0." + node + ":8000",
        1 + variant, variant == 0 ? "" : "zone-" + variant, generation, version);
  }

  NodeEntry randomEntry() {
    return entry(random.nextInt(NODES), random.nextInt(3), random.nextInt(4));
  }

  RingState ring(long version, int claimant) {
    Random r = honest ? new Random(version * 1000 + claimant) : random;
    int q = 4;
    int replicas = 2;
    TreeMap<NodeId, MemberStatus> statuses = new TreeMap<>();
    List<NodeId> owners = new ArrayList<>();
    statuses.put(node(claimant), MemberStatus.VALID);
    owners.add(node(claimant));
    for (int i = 0; i < NODES; i++) {
      if (i != claimant && r.nextBoolean()) {
        MemberStatus s = MemberStatus.values()[r.nextInt(MemberStatus.values().length)];
        statuses.put(node(i), s);
        if (s.mayOwn()) {
          owners.add(node(i));
        }
      }
    }
    PartitionTable table = null;
    if (r.nextInt(4) != 0) {
      List<List<NodeId>> lists = new ArrayList<>();
      for (int p = 0; p < q; p++) {
        NodeId a = owners.get(r.nextInt(owners.size()));
        NodeId b = owners.get(r.nextInt(owners.size()));
        lists.add(a.equals(b) ? List.of(a) : List.of(a, b));
      }
      table = new PartitionTable(replicas, lists);
    }
    List<PendingMove> moves = new ArrayList<>();
    List<NodeId> members = new ArrayList<>(statuses.keySet());
    if (members.size() > 1 && r.nextBoolean()) {
      moves.add(new PendingMove(
          new PartitionMove(r.nextInt(q), members.get(0), members.get(1)),
          MovePhase.values()[r.nextInt(MovePhase.values().length)]));
    }
    int n = 1 + r.nextInt(replicas);
    BucketDefaults defaults = new BucketDefaults(
        n, 1 + r.nextInt(n), 1 + r.nextInt(n),
        r.nextBoolean() ? ConflictMode.SIBLINGS : ConflictMode.LAST_WRITE_WINS);
    return new RingState(version, node(claimant), q, replicas, statuses, table, moves, defaults);
  }

  RingState randomRing() {
    if (random.nextInt(5) == 0) {
      return RingState.NONE;
    }
    return ring(1 + random.nextInt(3), random.nextInt(3));
  }

  /** A state of up to NODES entries (at most one per node) and a ring. */
  ClusterState state() {
    Map<NodeId, NodeEntry> entries = new TreeMap<>();
    int count = random.nextInt(NODES + 1);
    for (int i = 0; i < count; i++) {
      NodeEntry e = randomEntry();
      entries.put(e.id(), e);
    }
    return ClusterState.of(entries.values(), randomRing());
  }

  List<ClusterState> states(int count) {
    List<ClusterState> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(state());
    }
    return out;
  }

  Random random() {
    return random;
  }
}

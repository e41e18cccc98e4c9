package io.dynamo.core.membership;

import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.cluster.MemberStatus;
import io.dynamo.core.cluster.NodeEntry;
import io.dynamo.core.cluster.PartitionMove;
import io.dynamo.core.cluster.PartitionPlanner;
import io.dynamo.core.cluster.PartitionTable;
import io.dynamo.core.cluster.PendingMove;
import io.dynamo.core.cluster.MovePhase;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What the claimant commits (docs/decisions/0007): the ring after an operator's staged changes, and
 * the next phase of the moves under way. Pure: the same state gives the same ring on any node, so
 * a plan shown to an operator can be re-checked at commit by planning again.
 */
public final class Claimant {
  private Claimant() {}

  /**
   * The ring that committing {@code staged} over {@code base} would make, and its moves. {@code
   * next} is null when {@code problems} is not empty.
   */
  public record Plan(
      RingState base,
      List<StagedChange> staged,
      RingState next,
      List<PartitionMove> moves,
      List<String> problems,
      long hash) {
    public Plan {
      staged = List.copyOf(staged);
      moves = List.copyOf(moves);
      problems = List.copyOf(problems);
    }

    public boolean committable() {
      return problems.isEmpty() && next != null && !staged.isEmpty();
    }
  }

  /** Plans {@code staged} over the state's ring, to be committed by {@code self}. */
  public static Plan plan(ClusterState state, NodeId self, List<StagedChange> staged) {
    RingState base = state.ring();
    List<String> problems = new ArrayList<>();
    if (base.isNone() || base.table() == null) {
      problems.add("this node holds no ring yet");
      return new Plan(base, staged, null, List.of(), problems, hash(base, staged, List.of()));
    }
    if (!base.moves().isEmpty()) {
      return planDuringMoves(state, self, staged, base);
    }
    Map<NodeId, MemberStatus> statuses = new TreeMap<>(base.statuses());
    Set<NodeId> removing = new TreeSet<>();
    for (StagedChange change : staged) {
      NodeId node = change.node();
      MemberStatus status = statuses.get(node);
      switch (change.kind()) {
        case JOIN -> {
          if (state.node(node) == null) {
            problems.add("join " + node + ": unknown node; start it with the cluster's nodes as seeds");
          } else if (status == MemberStatus.REMOVED) {
            problems.add("join " + node + ": was removed; a removed id cannot join again, use a new id");
          } else if (status == MemberStatus.VALID || status == MemberStatus.LEAVING) {
            problems.add("join " + node + ": already a member (" + status + ")");
          } else {
            statuses.put(node, MemberStatus.VALID);
          }
        }
        case LEAVE -> {
          if (status != MemberStatus.VALID) {
            problems.add("leave " + node + ": not a valid member (" + status + ")");
          } else {
            statuses.put(node, MemberStatus.LEAVING);
          }
        }
        case REMOVE -> {
          if (status == null || !status.mayOwn()) {
            problems.add("remove " + node + ": not a member (" + status + ")");
          } else {
            statuses.put(node, MemberStatus.DOWN);
            removing.add(node);
          }
        }
        case MARK_DOWN -> {
          if (status != MemberStatus.VALID) {
            problems.add("mark-down " + node + ": not a valid member (" + status + ")");
          } else {
            statuses.put(node, MemberStatus.DOWN);
          }
        }
      }
    }
    List<PartitionMove> moves = List.of();
    RingState next = null;
    if (problems.isEmpty()) {
      List<Member> members = new ArrayList<>();
      Set<NodeId> leaving = new TreeSet<>(removing);
      statuses.forEach((id, s) -> {
        if (s.mayOwn()) {
          members.add(member(state, id));
        }
        if (s == MemberStatus.LEAVING) {
          leaving.add(id);
        }
      });
      try {
        PartitionPlanner.Plan planned = PartitionPlanner.plan(base.table(), members, leaving);
        moves = planned.moves();
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
      if (problems.isEmpty()) {
        RingState.Builder edit = base.edit();
        statuses.forEach(edit::status);
        List<PendingMove> pending = new ArrayList<>();
        for (PartitionMove m : moves) {
          pending.add(PendingMove.pending(m));
        }
        edit.moves(pending);
        removeIdle(edit, statuses, base.table(), pending);
        next = edit.commit(self);
      }
    }
    return new Plan(base, staged, next, moves, problems, hash(base, staged, moves));
  }

  /**
   * While moves are under way only one kind of change can be planned: taking out a node that owns
   * no copy yet (a joiner that died or should not have joined, with its copies still pending).
   * Its pending moves are dropped (the owners never changed) and it is removed (or marked down).
   * Anything else waits for the moves to finish, so moves never stack on moves.
   */
  private static Plan planDuringMoves(
      ClusterState state, NodeId self, List<StagedChange> staged, RingState base) {
    List<String> problems = new ArrayList<>();
    RingState.Builder edit = base.edit();
    Set<NodeId> dropped = new TreeSet<>();
    for (StagedChange change : staged) {
      boolean takesOut = change.kind() == StagedChange.Kind.REMOVE
          || change.kind() == StagedChange.Kind.MARK_DOWN;
      MemberStatus status = base.statuses().get(change.node());
      if (!takesOut || status == null || !status.mayOwn()
          || base.table().copiesOwnedBy(change.node()) > 0) {
        problems.add(
            change + ": " + base.moves().size() + " partition moves are under way; plan again once"
                + " they are done (dynamo transfers), or remove the node they wait for");
        continue;
      }
      dropped.add(change.node());
      edit.status(change.node(), MemberStatus.REMOVED);
    }
    if (!problems.isEmpty()) {
      return new Plan(base, staged, null, List.of(), problems, hash(base, staged, List.of()));
    }
    List<PendingMove> kept = new ArrayList<>();
    List<PartitionMove> undone = new ArrayList<>();
    for (PendingMove m : base.moves()) {
      if (dropped.contains(m.move().to()) || dropped.contains(m.move().from())) {
        undone.add(m.move());
      } else {
        kept.add(m);
      }
    }
    edit.moves(kept);
    return new Plan(base, staged, edit.commit(self), undone, problems, hash(base, staged, undone));
  }

  /**
   * The next ring as the moves under way progress, or null when nothing is ready: a pending move
   * whose target reported its copy complete switches (the target takes the source's place among
   * the owners, the source stays in the write set); a switched move is dropped once every member
   * believed up has applied the ring that switched it; a leaving or removed member that owns
   * nothing and is in no move becomes removed.
   */
  public static RingState advance(ClusterState state, NodeId self, Predicate<NodeId> believedUp) {
    RingState ring = state.ring();
    if (ring.isNone() || ring.table() == null) {
      return null;
    }
    boolean changed = false;
    boolean allApplied = allApplied(state, believedUp);
    List<List<NodeId>> owners = new ArrayList<>(ring.table().allOwners());
    List<PendingMove> moves = new ArrayList<>();
    for (PendingMove m : ring.moves()) {
      PartitionMove move = m.move();
      if (m.phase() == MovePhase.PENDING && copied(state, move)) {
        List<NodeId> list = new ArrayList<>(owners.get(move.partition()));
        int at = list.indexOf(move.from());
        if (at >= 0 && !list.contains(move.to())) {
          list.set(at, move.to());
          owners.set(move.partition(), List.copyOf(list));
        }
        moves.add(m.advance());
        changed = true;
      } else if (m.phase() != MovePhase.PENDING && allApplied) {
        changed = true; // released: the source leaves the write set
      } else {
        moves.add(m);
      }
    }
    Map<NodeId, MemberStatus> statuses = new TreeMap<>(ring.statuses());
    PartitionTable table = new PartitionTable(ring.replicas(), owners);
    RingState.Builder edit = ring.edit().table(table).moves(moves);
    if (removeIdle(edit, statuses, table, moves)) {
      changed = true;
    }
    return changed ? edit.commit(self) : null;
  }

  /** Nodes that asked to join by themselves ({@code cluster.join=auto}) and are not members yet. */
  public static List<StagedChange> autoJoins(ClusterState state) {
    return autoJoins(state, n -> true);
  }

  /** As {@link #autoJoins(ClusterState)}, among the nodes {@code reachable} says answer. */
  public static List<StagedChange> autoJoins(ClusterState state, Predicate<NodeId> reachable) {
    List<StagedChange> out = new ArrayList<>();
    for (NodeEntry e : state.nodes().values()) {
      if (e.autoJoin() && !state.ring().statuses().containsKey(e.id()) && reachable.test(e.id())) {
        out.add(new StagedChange(StagedChange.Kind.JOIN, e.id()));
      }
    }
    return out;
  }

  /**
   * Whether every member that owns or receives data and is believed up has applied the state's
   * ring version: only then may a copy start (every coordinator sends the target the writes) or a
   * source leave the write set (no coordinator reads the old owners any more).
   */
  public static boolean allApplied(ClusterState state, Predicate<NodeId> believedUp) {
    RingState ring = state.ring();
    for (Map.Entry<NodeId, MemberStatus> e : ring.statuses().entrySet()) {
      MemberStatus s = e.getValue();
      if (s != MemberStatus.VALID && s != MemberStatus.LEAVING) {
        continue;
      }
      NodeEntry entry = state.node(e.getKey());
      if (!believedUp.test(e.getKey())) {
        continue;
      }
      if (entry == null || entry.ringApplied() < ring.version()) {
        return false;
      }
    }
    return true;
  }

  private static boolean copied(ClusterState state, PartitionMove move) {
    NodeEntry target = state.node(move.to());
    return target != null && target.copied().contains(move);
  }

  /** Marks leaving or removed members that own nothing and are in no move as removed. */
  private static boolean removeIdle(
      RingState.Builder edit, Map<NodeId, MemberStatus> statuses, PartitionTable table,
      List<PendingMove> moves) {
    Set<NodeId> busy = new TreeSet<>(table.nodes());
    for (PendingMove m : moves) {
      busy.add(m.move().from());
      busy.add(m.move().to());
    }
    boolean changed = false;
    for (Map.Entry<NodeId, MemberStatus> e : statuses.entrySet()) {
      MemberStatus s = e.getValue();
      if ((s == MemberStatus.LEAVING || s == MemberStatus.DOWN) && !busy.contains(e.getKey())) {
        edit.status(e.getKey(), MemberStatus.REMOVED);
        changed = true;
      }
    }
    return changed;
  }

  private static Member member(ClusterState state, NodeId id) {
    NodeEntry entry = state.node(id);
    return entry == null ? new Member(id, 1, "") : new Member(id, entry.capacity(), entry.zone());
  }

  /** FNV-1a over the base ring's version and content, the staged changes and the moves. */
  static long hash(RingState base, List<StagedChange> staged, List<PartitionMove> moves) {
    StringBuilder text = new StringBuilder();
    text.append(base.version()).append('/').append(base.isNone() ? 0 : base.contentHash());
    for (StagedChange c : staged) {
      text.append('|').append(c);
    }
    for (PartitionMove m : moves) {
      text.append('|').append(m);
    }
    long h = 0xcbf29ce484222325L;
    for (byte b : text.toString().getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}

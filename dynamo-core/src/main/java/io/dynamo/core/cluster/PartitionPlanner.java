package io.dynamo.core.cluster;

import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides who owns which partition copies. {@link #initial} builds a balanced table for a new
 * cluster; {@link #plan} changes a table for joins and leaves with as few moves as it can: a join
 * only takes copies from old owners that are over their fair share (never moving a copy between two
 * old nodes), a leave only gives away the leaver's copies. Pure and deterministic: the same inputs
 * give the same table whatever the order of the member list.
 *
 * <p>Fair shares are proportional to capacity (see {@link FairShares}). The zone rule: a partition's
 * owners are in distinct zones while there are at least {@code replicas} zones, and otherwise every
 * zone holds at most {@code ceil(replicas / zones)} of them, the first owners covering distinct
 * zones. A choice that breaks the zone rule is only made when no other choice exists.
 */
public final class PartitionPlanner {
  private PartitionPlanner() {}

  /** The table after a change and the copies that move to get there. */
  public record Plan(PartitionTable table, List<PartitionMove> moves) {
    public Plan {
      moves = List.copyOf(moves);
    }
  }

  /** A balanced table of {@code partitions} partitions with {@code replicas} owners each. */
  public static PartitionTable initial(List<Member> members, int partitions, int replicas) {
    if (partitions < 1 || partitions > 1 << 20) {
      throw new IllegalArgumentException("partitions must be 1 to 1048576: " + partitions);
    }
    List<Member> sorted = sortedUnique(members);
    checkReplicas(replicas, sorted.size());
    FairShares shares = new FairShares(sorted, partitions, replicas);
    int m = sorted.size();
    int[] need = shares.target.clone();
    int[] zoneNeed = new int[shares.zones];
    for (int i = 0; i < m; i++) {
      zoneNeed[shares.zoneOf[i]] += need[i];
    }
    int[] hash = idHashes(sorted);
    RankBalancer ranks = new RankBalancer(shares, partitions, replicas);
    List<List<NodeId>> owners = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      int left = partitions - p;
      List<Integer> chosen = new ArrayList<>(replicas);
      int[] inZone = new int[shares.zones];
      // How many owners of this partition each zone may take: the zone limit, less what it must
      // keep to cover every later partition (once each when there are no more zones than owners).
      int lower = shares.zones <= replicas ? replicas / shares.zones : 0;
      int[] room = new int[shares.zones];
      for (int z = 0; z < shares.zones; z++) {
        room[z] = (int) Math.min(shares.zoneLimit, zoneNeed[z] - (long) lower * (left - 1));
      }
      // A node (or, with enough zones, a zone) that needs a copy in every partition left must be
      // taken now; there are never more than `replicas` of them.
      for (int i = 0; i < m; i++) {
        if (need[i] == left && chosen.size() < replicas) {
          take(chosen, inZone, shares, i);
        }
      }
      // Likewise a zone that needs more copies than it may hold in the partitions after this one.
      for (int z = 0; z < shares.zones; z++) {
        while (zoneNeed[z] - inZone[z] > (long) shares.zoneLimit * (left - 1)) {
          int best = best(need, hash, p, chosen, inZone, room, shares, z);
          if (best < 0 || chosen.size() >= replicas) {
            break;
          }
          take(chosen, inZone, shares, best);
        }
      }
      while (chosen.size() < replicas) {
        int best = best(need, hash, p, chosen, inZone, room, shares, -1);
        if (best < 0) {
          best = anyOther(chosen, m);
        }
        take(chosen, inZone, shares, best);
      }
      for (int i : chosen) {
        need[i]--;
        zoneNeed[shares.zoneOf[i]]--;
      }
      owners.add(ranks.order(p, chosen, sorted));
    }
    return new PartitionTable(replicas, owners);
  }

  /**
   * The next table for {@code members} (everyone in the cluster, with capacities and zones,
   * including nodes joining and nodes leaving) once the nodes in {@code leaving} own nothing.
   * Members that own nothing in {@code current} and whose fair share is at least one copy join:
   * they take about their fair share, each copy from the old owner most over its share. Leavers' copies go, one by one, to the node furthest
   * under its share that does not own that partition and keeps the zone rule. A copy that changes
   * hands keeps its position in the partition's owner order.
   */
  public static Plan plan(PartitionTable current, List<Member> members, Set<NodeId> leaving) {
    List<Member> sorted = sortedUnique(members);
    Map<NodeId, Integer> index = new HashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      index.put(sorted.get(i).id(), i);
    }
    for (NodeId node : leaving) {
      if (!index.containsKey(node)) {
        throw new IllegalArgumentException("leaving node " + node + " is not a member");
      }
    }
    int partitions = current.partitions();
    int replicas = current.replicas();
    for (int p = 0; p < partitions; p++) {
      for (NodeId owner : current.owners(p)) {
        if (!index.containsKey(owner)) {
          throw new IllegalArgumentException(
              "owner " + owner + " of partition " + p + " is not a member");
        }
      }
    }
    List<Member> staying = new ArrayList<>();
    for (Member member : sorted) {
      if (!leaving.contains(member.id())) {
        staying.add(member);
      }
    }
    checkReplicas(replicas, staying.size());
    for (int p = 0; p < partitions; p++) {
      if (current.owners(p).size() != replicas) {
        throw new IllegalArgumentException(
            "partition " + p + " has " + current.owners(p).size() + " owners, not " + replicas);
      }
    }
    return new Mover(current, staying, leaving).run();
  }

  static void checkReplicas(int replicas, int members) {
    if (replicas < 1 || replicas > 16) {
      throw new IllegalArgumentException("replicas must be 1 to 16: " + replicas);
    }
    if (replicas > members) {
      throw new IllegalArgumentException(
          "replicas (" + replicas + ") exceed the members that may own copies (" + members + ")");
    }
  }

  static List<Member> sortedUnique(List<Member> members) {
    List<Member> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparing(Member::id));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
        throw new IllegalArgumentException("member " + sorted.get(i).id() + " listed twice");
      }
    }
    return sorted;
  }

  static int[] idHashes(List<Member> sorted) {
    int[] hash = new int[sorted.size()];
    for (int i = 0; i < hash.length; i++) {
      hash[i] = sorted.get(i).id().value().hashCode();
    }
    return hash;
  }

  /** A tie-breaker that differs per partition, so equal nodes pair with varied co-owners. */
  static long mix(int idHash, int partition) {
    long z = ((long) idHash << 32) ^ (partition * 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void take(List<Integer> chosen, int[] inZone, FairShares shares, int i) {
    if (!chosen.contains(i)) {
      chosen.add(i);
      inZone[shares.zoneOf[i]]++;
    }
  }

  /**
   * The best node still needing copies, not chosen, in zone {@code onlyZone} (or any zone if -1):
   * first a zone with room left, then the emptiest zone, then the most copies needed, then the tie-breaker.
   */
  private static int best(
      int[] need,
      int[] hash,
      int p,
      List<Integer> chosen,
      int[] inZone,
      int[] room,
      FairShares s,
      int onlyZone) {
    int best = -1;
    for (int i = 0; i < need.length; i++) {
      int z = s.zoneOf[i];
      if (need[i] <= 0 || chosen.contains(i) || (onlyZone >= 0 && z != onlyZone)) {
        continue;
      }
      if (best < 0) {
        best = i;
        continue;
      }
      int zb = s.zoneOf[best];
      boolean overI = inZone[z] >= room[z];
      boolean overB = inZone[zb] >= room[zb];
      int c = Boolean.compare(overB, overI);
      if (c == 0) {
        c = Integer.compare(inZone[zb], inZone[z]);
      }
      if (c == 0) {
        c = Integer.compare(need[i], need[best]);
      }
      if (c == 0) {
        c = Long.compare(mix(hash[best], p), mix(hash[i], p));
      }
      if (c > 0) {
        best = i;
      }
    }
    return best;
  }

  private static int anyOther(List<Integer> chosen, int m) {
    for (int i = 0; i < m; i++) {
      if (!chosen.contains(i)) {
        return i;
      }
    }
    throw new IllegalStateException("no node left to choose");
  }

  /**
   * Orders a new partition's owners so that each node's copies spread evenly over the positions
   * (the first owner usually coordinates), the first owners in distinct zones.
   */
  static final class RankBalancer {
    private final double[] perRank;
    private final int[][] count;
    private final FairShares shares;
    private final int partitions;

    RankBalancer(FairShares shares, int partitions, int replicas) {
      this.shares = shares;
      this.partitions = partitions;
      this.perRank = new double[shares.target.length];
      for (int i = 0; i < perRank.length; i++) {
        perRank[i] = (double) shares.target[i] / replicas;
      }
      this.count = new int[perRank.length][replicas];
    }

    List<NodeId> order(int p, List<Integer> chosen, List<Member> sorted) {
      List<Integer> left = new ArrayList<>(chosen);
      List<NodeId> out = new ArrayList<>(chosen.size());
      Set<Integer> zonesSeen = new HashSet<>();
      int distinct = (int) chosen.stream().map(i -> shares.zoneOf[i]).distinct().count();
      for (int rank = 0; rank < chosen.size(); rank++) {
        int best = -1;
        double bestLag = Double.NEGATIVE_INFINITY;
        for (int i : left) {
          if (zonesSeen.size() < distinct && zonesSeen.contains(shares.zoneOf[i])) {
            continue;
          }
          double lag = perRank[i] * (p + 1) / partitions - count[i][rank];
          if (lag > bestLag + 1e-12) {
            bestLag = lag;
            best = i;
          }
        }
        left.remove(Integer.valueOf(best));
        zonesSeen.add(shares.zoneOf[best]);
        count[best][rank]++;
        out.add(sorted.get(best).id());
      }
      return out;
    }
  }

  /** Applies a change to a copy of the table, recording where each copy came from. */
  private static final class Mover {
    private final PartitionTable current;
    private final List<Member> staying;
    private final Set<NodeId> leaving;
    private final FairShares shares;
    private final Map<NodeId, Integer> index = new HashMap<>();
    private final int[] hash;
    private final int[] count;
    /** Members owning nothing in the current table: they join. */
    private final boolean[] joiner;
    /** How many partitions each staying node is the first owner of. */
    private final int[] first;
    private final NodeId[][] owners;
    private final int partitions;
    private final int replicas;

    Mover(PartitionTable current, List<Member> staying, Set<NodeId> leaving) {
      this.current = current;
      this.staying = staying;
      this.leaving = leaving;
      this.partitions = current.partitions();
      this.replicas = current.replicas();
      this.shares = new FairShares(staying, partitions, replicas);
      for (int i = 0; i < staying.size(); i++) {
        index.put(staying.get(i).id(), i);
      }
      this.hash = idHashes(staying);
      this.count = new int[staying.size()];
      this.owners = new NodeId[partitions][];
      for (int p = 0; p < partitions; p++) {
        owners[p] = current.owners(p).toArray(new NodeId[0]);
        for (NodeId owner : owners[p]) {
          Integer i = index.get(owner);
          if (i != null) {
            count[i]++;
          }
        }
      }
      this.first = new int[staying.size()];
      for (int p = 0; p < partitions; p++) {
        Integer i = index.get(owners[p][0]);
        if (i != null) {
          first[i]++;
        }
      }
      this.joiner = new boolean[staying.size()];
      // With fewer copies than nodes (Q * N < M) some nodes own nothing by design; one of those is
      // only a joiner once its share reaches a whole copy, else a leave would shuffle copies onto
      // it that balance does not need.
      for (int i = 0; i < staying.size(); i++) {
        joiner[i] = count[i] == 0 && shares.share[i] >= 1 - 1e-9;
      }
    }

    Plan run() {
      giveAwayLeaversCopies();
      fillJoiners();
      List<List<NodeId>> next = new ArrayList<>(partitions);
      List<PartitionMove> moves = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        List<NodeId> before = current.owners(p);
        for (int j = 0; j < replicas; j++) {
          if (!before.get(j).equals(owners[p][j])) {
            moves.add(new PartitionMove(p, before.get(j), owners[p][j]));
          }
        }
        next.add(zonesFirst(Arrays.asList(owners[p])));
      }
      return new Plan(new PartitionTable(replicas, next), moves);
    }

    private void giveAwayLeaversCopies() {
      for (int p = 0; p < partitions; p++) {
        for (int j = 0; j < replicas; j++) {
          if (leaving.contains(owners[p][j])) {
            int to = receiver(p, j);
            owners[p][j] = staying.get(to).id();
            count[to]++;
            first[to] += j == 0 ? 1 : 0;
          }
        }
      }
    }

    /** The staying node furthest under its share that may take position {@code j} of {@code p}. */
    private int receiver(int p, int j) {
      int best = -1;
      boolean bestZoneOk = false;
      for (int i = 0; i < staying.size(); i++) {
        if (owns(p, i)) {
          continue;
        }
        boolean zoneOk = zoneOkAfter(p, j, i);
        if (best >= 0) {
          int c = Boolean.compare(zoneOk, bestZoneOk);
          if (c == 0) {
            c = Integer.compare(shares.target[i] - count[i], shares.target[best] - count[best]);
          }
          if (c == 0) {
            c = Double.compare(shares.share[i] - count[i], shares.share[best] - count[best]);
          }
          if (c == 0) {
            c = Long.compare(mix(hash[best], p), mix(hash[i], p));
          }
          if (c <= 0) {
            continue;
          }
        }
        best = i;
        bestZoneOk = zoneOk;
      }
      if (best < 0) {
        throw new IllegalStateException("no node can take a copy of partition " + p);
      }
      return best;
    }

    /** Nodes that owned nothing take copies, most under their share first, until at share. */
    private void fillJoiners() {
      int[] taken = new int[staying.size()];
      while (true) {
        int to = -1;
        for (int i = 0; i < staying.size(); i++) {
          if (joiner[i] && count[i] < shares.target[i]) {
            if (to < 0 || shares.target[i] - count[i] > shares.target[to] - count[to]) {
              to = i;
            }
          }
        }
        if (to < 0 || !takeOne(to, taken[to] % replicas)) {
          return;
        }
        taken[to]++;
      }
    }

    /**
     * Moves one copy to {@code to} from the old node most over its share that has a copy {@code to}
     * may take, preferring a copy at position {@code rank} (so the newcomer's copies spread over
     * positions) and the zone rule.
     */
    private boolean takeOne(int to, int rank) {
      List<Integer> donors = new ArrayList<>();
      List<Integer> anyOld = new ArrayList<>();
      for (int i = 0; i < staying.size(); i++) {
        if (!joiner[i] && count[i] > 0) {
          (count[i] > shares.share[i] - 1e-9 ? donors : anyOld).add(i);
        }
      }
      // Most over first; among equals, when taking a first position, the donor most over its share
      // of first positions (so coordinators stay balanced as nodes join).
      donors.sort(
          Comparator.<Integer>comparingDouble(i -> Math.floor(shares.share[i] - count[i]))
              .thenComparingDouble(i -> rank == 0 ? firstShare(i) - firstCount(i) : 0)
              .thenComparingDouble(i -> shares.share[i] - count[i])
              .thenComparing(i -> staying.get(i).id()));
      anyOld.sort(
          Comparator.<Integer>comparingDouble(i -> shares.share[i] - count[i])
              .thenComparing(i -> staying.get(i).id()));
      // First an over-share donor keeping the zone rule, then any old donor keeping it, and only
      // then a move that breaks it.
      List<List<Integer>> rounds = List.of(donors, anyOld, donors);
      for (int round = 0; round < rounds.size(); round++) {
        boolean strict = round < 2;
        for (int from : rounds.get(round)) {
          int bestP = -1;
          int bestScore = -1;
          long bestMix = 0;
          NodeId donor = staying.get(from).id();
          for (int p = 0; p < partitions; p++) {
            int j = position(p, donor);
            if (j < 0 || owns(p, to)) {
              continue;
            }
            boolean zoneOk = zoneOkAfter(p, j, to);
            if (strict && !zoneOk) {
              continue;
            }
            int score = (zoneOk ? 2 : 0) + (j == rank ? 1 : 0);
            if (j == 0 && rank != 0 && firstCount(from) <= firstShare(from)) {
              score--;
            }
            long x = mix(hash[to], p);
            if (score > bestScore || (score == bestScore && x < bestMix)) {
              bestP = p;
              bestScore = score;
              bestMix = x;
            }
          }
          if (bestP >= 0) {
            if (position(bestP, donor) == 0) {
              first[from]--;
              first[to]++;
            }
            owners[bestP][position(bestP, donor)] = staying.get(to).id();
            count[from]--;
            count[to]++;
            return true;
          }
        }
      }
      return false;
    }

    private double firstShare(int i) {
      return shares.share[i] / replicas;
    }

    private int firstCount(int i) {
      return first[i];
    }

    private int position(int p, NodeId node) {
      for (int j = 0; j < replicas; j++) {
        if (owners[p][j].equals(node)) {
          return j;
        }
      }
      return -1;
    }

    private boolean owns(int p, int i) {
      return position(p, staying.get(i).id()) >= 0;
    }

    /** Whether the zone rule holds for {@code p} once node {@code i} replaces position {@code j}. */
    private boolean zoneOkAfter(int p, int j, int i) {
      int zone = shares.zoneOf[i];
      int same = 1;
      for (int k = 0; k < replicas; k++) {
        Integer other = index.get(owners[p][k]);
        if (k != j && other != null && shares.zoneOf[other] == zone) {
          same++;
        }
      }
      return same <= shares.zoneLimit;
    }

    /**
     * With fewer zones than replicas, moves the first owner of each zone ahead of second owners,
     * so the first owners cover distinct zones; the first owner never moves. Otherwise unchanged.
     */
    private List<NodeId> zonesFirst(List<NodeId> list) {
      if (shares.zoneLimit == 1) {
        return list;
      }
      List<NodeId> first = new ArrayList<>();
      List<NodeId> rest = new ArrayList<>();
      Set<Integer> seen = new HashSet<>();
      for (NodeId node : list) {
        (seen.add(shares.zoneOf[index.get(node)]) ? first : rest).add(node);
      }
      first.addAll(rest);
      return first;
    }
  }
}

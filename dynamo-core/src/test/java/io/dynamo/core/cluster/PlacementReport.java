package io.dynamo.core.cluster;

import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Prints the placement figures of docs/placement.md: load balance of initial and grown tables, and
 * copies moved by single joins. Run after {@code ./mvnw -q -B -o -pl dynamo-core -am test-compile}:
 * {@code java -cp dynamo-core/target/classes:dynamo-core/target/test-classes
 * io.dynamo.core.cluster.PlacementReport}.
 */
public final class PlacementReport {
  private static final int REPLICAS = 3;

  private PlacementReport() {}

  public static void main(String[] args) {
    System.out.println("| nodes | Q | capacities | table | max load/capacity share | nodes >15% off |"
        + " max first owners/capacity share | copies moved by the last join (ideal) |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (boolean mixed : new boolean[] {false, true}) {
      balance(10, 256, mixed);
      balance(100, 4096, mixed);
      balance(1000, 16384, mixed);
    }
    System.out.println();
    System.out.println("| join | Q | N | copies moved | ideal | to the new node | first owners changed |");
    System.out.println("|---|---|---|---|---|---|---|");
    join(8, 256);
    join(16, 256);
  }

  static List<Member> members(int count, boolean mixed) {
    List<Member> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(Member.of("n" + i, mixed ? 1 << (i % 3) : 1));
    }
    return out;
  }

  /** Initial table of {@code nodes}; a table grown by joins from half; then one more join. */
  static void balance(int nodes, int q, boolean mixed) {
    String caps = mixed ? "1,2,4 mixed" : "equal";
    List<Member> all = members(nodes + 1, mixed);
    List<Member> full = all.subList(0, nodes);
    row(nodes, q, caps, "initial", PartitionPlanner.initial(full, q, REPLICAS), full, "");
    List<Member> current = new ArrayList<>(all.subList(0, nodes / 2));
    PartitionTable t = PartitionPlanner.initial(current, q, REPLICAS);
    for (int i = nodes / 2; i < nodes; i++) {
      current.add(all.get(i));
      t = PartitionPlanner.plan(t, current, Set.of()).table();
    }
    row(nodes, q, caps, "grown " + nodes / 2 + " -> " + nodes, t, current, "");
    current.add(all.get(nodes));
    PartitionPlanner.Plan plan = PartitionPlanner.plan(t, current, Set.of());
    double ideal = (double) q * REPLICAS * all.get(nodes).capacity() / totalCapacity(current);
    row(nodes + 1, q, caps, "grown, then one join " + nodes + " -> " + (nodes + 1), plan.table(),
        current, plan.moves().size() + " (" + String.format(Locale.ROOT, "%.1f", ideal) + ")");
  }

  static long totalCapacity(List<Member> members) {
    return members.stream().mapToLong(Member::capacity).sum();
  }

  static void row(
      int nodes, int q, String caps, String what, PartitionTable t, List<Member> members,
      String moved) {
    long total = totalCapacity(members);
    double copies = (double) q * REPLICAS;
    double maxRatio = 0;
    double maxFirst = 0;
    int off = 0;
    java.util.Map<NodeId, Integer> first = new java.util.HashMap<>();
    for (int p = 0; p < q; p++) {
      first.merge(t.owners(p).get(0), 1, Integer::sum);
    }
    for (Member m : members) {
      double fair = copies * m.capacity() / total;
      int held = t.copiesOwnedBy(m.id());
      maxRatio = Math.max(maxRatio, held / fair);
      maxFirst = Math.max(maxFirst, first.getOrDefault(m.id(), 0) / (fair / REPLICAS));
      if (Math.abs(held - fair) > 0.15 * fair) {
        off++;
      }
    }
    System.out.printf(Locale.ROOT, "| %d | %d | %s | %s | %.3f | %.1f %% | %.3f | %s |%n",
        nodes, q, caps, what, maxRatio, 100.0 * off / members.size(), maxFirst, moved);
  }

  static void join(int nodes, int q) {
    List<Member> all = members(nodes + 1, false);
    PartitionTable t = PartitionPlanner.initial(all.subList(0, nodes), q, REPLICAS);
    PartitionPlanner.Plan plan = PartitionPlanner.plan(t, all, Set.of());
    NodeId joiner = all.get(nodes).id();
    long toNew = plan.moves().stream().filter(m -> m.to().equals(joiner)).count();
    int firstChanged = 0;
    for (int p = 0; p < q; p++) {
      if (!t.owners(p).get(0).equals(plan.table().owners(p).get(0))) {
        firstChanged++;
      }
    }
    System.out.printf(Locale.ROOT, "| %d -> %d | %d | %d | %d of %d | %.1f | %d | %d |%n",
        nodes, nodes + 1, q, REPLICAS, plan.moves().size(), q * REPLICAS,
        (double) q * REPLICAS / (nodes + 1), toNew, firstChanged);
  }
}

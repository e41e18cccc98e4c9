package io.dynamo.core.ring;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * Assigns Q partitions to members in proportion to capacity (Dynamo's strategy 3). Each member gets
 * floor or ceil of its exact share (largest remainders take the spare partitions), and owners are
 * interleaved so that neighbouring partitions have different owners, which keeps preference lists
 * short walks of the ring. The result depends only on the member set, not its order.
 */
public final class PartitionAssigner {
  private PartitionAssigner() {}

  /**
   * @param spread how many consecutive partitions should have distinct owners where possible
   *     (the usual replication factor)
   */
  public static NodeId[] assign(List<Member> members, int partitions, int spread) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a ring needs at least one member");
    }
    List<Member> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparing(Member::id));
    int[] target = targets(sorted, partitions);
    int[] assigned = new int[sorted.size()];
    int window = Math.max(0, Math.min(spread, sorted.size()) - 1);
    Deque<Integer> recent = new ArrayDeque<>();
    NodeId[] owners = new NodeId[partitions];
    for (int p = 0; p < partitions; p++) {
      int choice = pick(target, assigned, recent, p, partitions, true);
      if (choice < 0) {
        choice = pick(target, assigned, recent, p, partitions, false);
      }
      owners[p] = sorted.get(choice).id();
      assigned[choice]++;
      recent.addLast(choice);
      if (recent.size() > window) {
        recent.removeFirst();
      }
    }
    return owners;
  }

  /** Each member's partition count: its exact share rounded by largest remainder. */
  static int[] targets(List<Member> sorted, int partitions) {
    long total = 0;
    for (Member m : sorted) {
      total += m.capacity();
    }
    int[] target = new int[sorted.size()];
    long[] remainder = new long[sorted.size()];
    int given = 0;
    for (int i = 0; i < sorted.size(); i++) {
      long exact = (long) partitions * sorted.get(i).capacity();
      target[i] = (int) (exact / total);
      remainder[i] = exact % total;
      given += target[i];
    }
    while (given < partitions) {
      int best = 0;
      for (int i = 1; i < sorted.size(); i++) {
        if (remainder[i] > remainder[best]) {
          best = i;
        }
      }
      target[best]++;
      remainder[best] = -1;
      given++;
    }
    return target;
  }

  /** The member furthest behind its smooth quota (weighted round robin), optionally not recent. */
  private static int pick(
      int[] target, int[] assigned, Deque<Integer> recent, int p, int partitions, boolean avoid) {
    int best = -1;
    double bestDeficit = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < target.length; i++) {
      if (assigned[i] >= target[i] || (avoid && recent.contains(i))) {
        continue;
      }
      double deficit = (double) target[i] * (p + 1) / partitions - assigned[i];
      if (deficit > bestDeficit) {
        bestDeficit = deficit;
        best = i;
      }
    }
    return best;
  }
}

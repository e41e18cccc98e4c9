package io.dynamo.core.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints the "rounds to convergence vs cluster size" table of docs/gossip.md. Off by default (it
 * takes minutes); run with {@code -Dgossip.table=true}, optionally {@code -Dgossip.sizes=10,100}
 * and {@code -Dgossip.seeds=20}.
 */
class GossipConvergenceTable {
  @Test
  @EnabledIfSystemProperty(named = "gossip.table", matches = "true")
  void printTable() {
    String[] sizes = System.getProperty("gossip.sizes", "10,30,100,300,1000").split(",");
    int seeds = Integer.getInteger("gossip.seeds", 20);
    int[][] configs = {{3, 0}, {3, 20}, {1, 0}}; // fanout, loss percent
    StringBuilder out = new StringBuilder();
    out.append("| nodes | fanout | loss | median rounds | max rounds | seeds |\n");
    out.append("|---:|---:|---:|---:|---:|---:|\n");
    for (String size : sizes) {
      int n = Integer.parseInt(size.trim());
      for (int[] c : configs) {
        List<Integer> rounds = new ArrayList<>();
        for (long seed = 1; seed <= seeds; seed++) {
          int r = GossipSimulation.roundsToSpreadRing(n, c[0], seed, c[1] / 100.0);
          if (r < 0) {
            throw new AssertionError("no convergence: n=" + n + " seed=" + seed);
          }
          rounds.add(r);
        }
        Collections.sort(rounds);
        String row = String.format("| %d | %d | %d%% | %s | %d | %d |%n", n, c[0], c[1],
            median(rounds), rounds.get(rounds.size() - 1), seeds);
        out.append(row);
        System.out.print(row);
        System.out.flush();
      }
    }
    System.out.println(out);
  }

  private static String median(List<Integer> sorted) {
    int m = sorted.size();
    if (m % 2 == 1) {
      return Integer.toString(sorted.get(m / 2));
    }
    double v = (sorted.get(m / 2 - 1) + sorted.get(m / 2)) / 2.0;
    return v == Math.floor(v) ? Integer.toString((int) v) : Double.toString(v);
  }
}

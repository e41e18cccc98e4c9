package io.dynamo.core.cluster;

import io.dynamo.core.ring.Member;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each member's fair share of a table's {@code partitions * replicas} copies: proportional to
 * capacity, but no node above {@code partitions} (it can hold a partition once) and no zone above
 * what the zone rule lets it hold ({@code partitions} when there are at least {@code replicas}
 * zones, else {@code ceil(replicas / zones)} per partition, and at least {@code floor(replicas /
 * zones)} per partition). Zones get shares in proportion to their capacity within those bounds, and
 * a zone's nodes split its share in proportion to capacity, none above {@code partitions}.
 * {@link #target} rounds the shares to whole copies by largest remainder, zones first, so the
 * targets add up to the table's copies exactly.
 *
 * <p>Members must be sorted by id; index {@code i} of every array is member {@code i}.
 */
final class FairShares {
  private static final double EPSILON = 1e-9;

  final double[] share;
  final int[] target;
  final int[] zoneOf;
  final int zones;
  /** Most owners of one partition a zone may hold: 1 with enough zones, else ceil(R / zones). */
  final int zoneLimit;

  FairShares(List<Member> sorted, int partitions, int replicas) {
    int m = sorted.size();
    Map<String, Integer> zoneIds = new HashMap<>();
    zoneOf = new int[m];
    for (int i = 0; i < m; i++) {
      zoneOf[i] = zoneIds.computeIfAbsent(sorted.get(i).zone(), z -> zoneIds.size());
    }
    zones = zoneIds.size();
    zoneLimit = zones >= replicas ? 1 : (replicas + zones - 1) / zones;
    // Every zone covers each partition at least replicas / zones times when it has to.
    int lower = zones <= replicas ? replicas / zones : 0;
    double[] zoneWeight = new double[zones];
    double[] zoneLo = new double[zones];
    double[] zoneHi = new double[zones];
    int[] zoneSize = new int[zones];
    for (int i = 0; i < m; i++) {
      zoneWeight[zoneOf[i]] += sorted.get(i).capacity();
      zoneSize[zoneOf[i]]++;
    }
    for (int z = 0; z < zones; z++) {
      zoneHi[z] = (double) partitions * Math.min(zoneLimit, zoneSize[z]);
      zoneLo[z] = Math.min(zoneHi[z], (double) partitions * lower);
    }
    double room = 0;
    for (int z = 0; z < zones; z++) {
      room += zoneHi[z];
    }
    if (room < (double) partitions * replicas - EPSILON) {
      // Too few nodes in some zones to keep the zone rule: only the node limit applies.
      for (int z = 0; z < zones; z++) {
        zoneHi[z] = (double) partitions * zoneSize[z];
        zoneLo[z] = 0;
      }
    }
    double[] zoneShare = waterfill(zoneWeight, zoneLo, zoneHi, (double) partitions * replicas);
    int[] zoneTarget = round(zoneShare, zoneHi, (long) partitions * replicas);
    share = new double[m];
    target = new int[m];
    for (int z = 0; z < zones; z++) {
      List<Integer> in = new ArrayList<>();
      for (int i = 0; i < m; i++) {
        if (zoneOf[i] == z) {
          in.add(i);
        }
      }
      double[] w = new double[in.size()];
      double[] lo = new double[in.size()];
      double[] hi = new double[in.size()];
      for (int k = 0; k < w.length; k++) {
        w[k] = sorted.get(in.get(k)).capacity();
        hi[k] = partitions;
      }
      double[] s = waterfill(w, lo, hi, zoneShare[z]);
      int[] t = round(s, hi, zoneTarget[z]);
      for (int k = 0; k < w.length; k++) {
        share[in.get(k)] = s[k];
        target[in.get(k)] = t[k];
      }
    }
  }

  /** Splits {@code total} in proportion to {@code weight}, each part kept within its bounds. */
  static double[] waterfill(double[] weight, double[] lo, double[] hi, double total) {
    int n = weight.length;
    double[] out = new double[n];
    boolean[] fixed = new boolean[n];
    while (true) {
      double left = total;
      double w = 0;
      for (int i = 0; i < n; i++) {
        if (fixed[i]) {
          left -= out[i];
        } else {
          w += weight[i];
        }
      }
      for (int i = 0; i < n; i++) {
        if (!fixed[i]) {
          out[i] = w == 0 ? 0 : left * weight[i] / w;
        }
      }
      boolean changed = false;
      for (int i = 0; i < n; i++) {
        if (!fixed[i] && out[i] > hi[i] + EPSILON) {
          out[i] = hi[i];
          fixed[i] = changed = true;
        }
      }
      if (!changed) {
        for (int i = 0; i < n; i++) {
          if (!fixed[i] && out[i] < lo[i] - EPSILON) {
            out[i] = lo[i];
            fixed[i] = changed = true;
          }
        }
      }
      if (!changed) {
        return out;
      }
    }
  }

  /** Whole parts adding up to {@code total}: floors, then largest remainders (lower index first). */
  static int[] round(double[] share, double[] hi, long total) {
    int n = share.length;
    int[] t = new int[n];
    long given = 0;
    for (int i = 0; i < n; i++) {
      t[i] = (int) Math.floor(share[i] + EPSILON);
      given += t[i];
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    order.sort((a, b) -> Double.compare(share[b] - t[b], share[a] - t[a]));
    for (int pass = 0; given < total; pass++) {
      long before = given;
      for (int i : order) {
        if (given < total && t[i] + 1 <= hi[i] + EPSILON && (pass > 0 || share[i] - t[i] > EPSILON)) {
          t[i]++;
          given++;
        }
      }
      if (pass > 0 && given == before) {
        throw new IllegalStateException("cannot place " + total + " copies");
      }
    }
    return t;
  }
}

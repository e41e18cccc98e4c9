package io.dynamo.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Picks keys by where they live, from the ring every node computes. */
final class Keys {
  private Keys() {}

  /** The first {@code count} keys {@code prefix-0, prefix-1, ...} whose home replicas match. */
  static List<String> homed(
      ProcessCluster cluster, String bucket, String prefix, int count, Predicate<List<String>> home) {
    List<String> out = new ArrayList<>(count);
    for (int i = 0; out.size() < count; i++) {
      if (i > 1_000_000 + count * 1_000) {
        throw new IllegalStateException("no " + count + " keys with such home replicas");
      }
      String key = prefix + "-" + i;
      if (home.test(cluster.homeReplicas(bucket, key))) {
        out.add(key);
      }
    }
    return out;
  }

  /** {@code prefix-0} to {@code prefix-(count-1)}. */
  static List<String> range(String prefix, int count) {
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(prefix + "-" + i);
    }
    return out;
  }
}

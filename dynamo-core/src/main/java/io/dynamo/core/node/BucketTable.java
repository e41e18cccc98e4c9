package io.dynamo.core.node;

import java.util.Map;

/**
 * The properties of every bucket: a default for any validly named bucket, and overrides for named
 * ones.
 */
public record BucketTable(BucketProperties defaults, Map<String, BucketProperties> overrides) {
  public BucketTable {
    overrides = Map.copyOf(overrides);
    for (String name : overrides.keySet()) {
      if (!isValidName(name)) {
        throw new IllegalArgumentException("invalid bucket name '" + name + "'");
      }
    }
  }

  public static BucketTable of(BucketProperties defaults) {
    return new BucketTable(defaults, Map.of());
  }

  /** 1 to 64 of {@code A-Z a-z 0-9 _ -}; checked on every request, so without a regex matcher. */
  public static boolean isValidName(String bucket) {
    int n = bucket.length();
    if (n < 1 || n > 64) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = bucket.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * The bucket's properties with the cluster's defaults: a bucket this table configures keeps its
   * own; any other takes N, R, W and the conflict mode from {@code cluster} (null: this table's
   * defaults), and its value and key limits, which are node-local, from this table.
   */
  public BucketProperties propertiesOf(String bucket, io.dynamo.core.cluster.BucketDefaults cluster) {
    BucketProperties own = overrides.get(bucket);
    return own != null ? own : defaultsUnder(cluster);
  }

  /** The properties of a bucket this table does not configure, under the cluster's defaults. */
  public BucketProperties defaultsUnder(io.dynamo.core.cluster.BucketDefaults cluster) {
    if (cluster == null
        || (cluster.n() == defaults.n() && cluster.r() == defaults.r() && cluster.w() == defaults.w()
            && cluster.conflictMode() == defaults.conflictMode())) {
      return defaults;
    }
    return new BucketProperties(
        cluster.n(), cluster.r(), cluster.w(), cluster.conflictMode(), defaults.maxValueBytes(),
        defaults.keyLimits());
  }

  /** The bucket's properties; the caller has checked the name. */
  /** The largest N of any bucket: the default (under the cluster's defaults) or an override. */
  public int maxN(io.dynamo.core.cluster.BucketDefaults cluster) {
    int n = defaultsUnder(cluster).n();
    for (BucketProperties b : overrides.values()) {
      n = Math.max(n, b.n());
    }
    return n;
  }

  public BucketProperties propertiesOf(String bucket) {
    return overrides.getOrDefault(bucket, defaults);
  }
}

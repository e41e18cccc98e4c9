package io.dynamo.core.cluster;

import io.dynamo.core.version.ConflictMode;
import java.util.Objects;

/**
 * Cluster-wide replication, quorum and conflict settings for buckets that set none of their own.
 * Node-local limits (value and key sizes) are not cluster state and stay in node configuration.
 */
public record BucketDefaults(int n, int r, int w, ConflictMode conflictMode) {
  public static final BucketDefaults DEFAULT = new BucketDefaults(3, 2, 2, ConflictMode.SIBLINGS);

  public BucketDefaults {
    Objects.requireNonNull(conflictMode, "conflictMode");
    if (n < 1 || n > 16) {
      throw new IllegalArgumentException("n must be 1 to 16: " + n);
    }
    if (r < 1 || r > n) {
      throw new IllegalArgumentException("r must be between 1 and n=" + n + ": " + r);
    }
    if (w < 1 || w > n) {
      throw new IllegalArgumentException("w must be between 1 and n=" + n + ": " + w);
    }
  }
}

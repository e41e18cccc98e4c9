package io.dynamo.core.node;

import io.dynamo.core.version.ConflictMode;
import java.util.Objects;

/** A bucket's replication, quorum and conflict settings. */
public record BucketProperties(int n, int r, int w, ConflictMode conflictMode, int maxValueBytes) {
  public static final BucketProperties DEFAULT =
      new BucketProperties(3, 2, 2, ConflictMode.SIBLINGS, 1 << 20);

  public BucketProperties {
    Objects.requireNonNull(conflictMode, "conflictMode");
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1: " + n);
    }
    if (r < 1 || r > n) {
      throw new IllegalArgumentException("r must be between 1 and n=" + n + ": " + r);
    }
    if (w < 1 || w > n) {
      throw new IllegalArgumentException("w must be between 1 and n=" + n + ": " + w);
    }
    if (maxValueBytes < 0) {
      throw new IllegalArgumentException("maxValueBytes must not be negative: " + maxValueBytes);
    }
  }
}

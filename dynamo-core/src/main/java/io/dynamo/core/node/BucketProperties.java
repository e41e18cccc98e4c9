package io.dynamo.core.node;

import io.dynamo.core.storage.KeyLimits;
import io.dynamo.core.version.ConflictMode;
import java.util.Objects;

/** A bucket's replication, quorum and conflict settings, and the limits that keep its keys usable. */
public record BucketProperties(
    int n, int r, int w, ConflictMode conflictMode, int maxValueBytes, KeyLimits keyLimits) {
  public static final BucketProperties DEFAULT =
      new BucketProperties(3, 2, 2, ConflictMode.SIBLINGS, 1 << 20, KeyLimits.DEFAULT);

  /** With the default key limits. */
  public BucketProperties(int n, int r, int w, ConflictMode conflictMode, int maxValueBytes) {
    this(n, r, w, conflictMode, maxValueBytes, KeyLimits.DEFAULT);
  }

  public BucketProperties {
    Objects.requireNonNull(conflictMode, "conflictMode");
    Objects.requireNonNull(keyLimits, "keyLimits");
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
    if (keyLimits.recordMaxBytes() <= maxValueBytes) {
      throw new IllegalArgumentException(
          "the record size limit (" + keyLimits.recordMaxBytes()
              + ") must exceed the largest value (" + maxValueBytes + ")");
    }
  }
}

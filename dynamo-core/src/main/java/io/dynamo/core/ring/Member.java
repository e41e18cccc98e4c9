package io.dynamo.core.ring;

import java.util.Objects;

/**
 * A physical node as the ring sees it: a capacity weight (partitions are assigned in proportion to
 * it) and an optional zone (preference lists spread over zones before doubling up in one).
 */
public record Member(NodeId id, int capacity, String zone) {
  public Member {
    Objects.requireNonNull(id, "id");
    zone = zone == null ? "" : zone;
    if (capacity <= 0 || capacity > 1_000_000) {
      throw new IllegalArgumentException(
          "capacity of " + id + " must be between 1 and 1000000: " + capacity);
    }
  }

  public static Member of(String id, int capacity) {
    return new Member(NodeId.of(id), capacity, "");
  }
}

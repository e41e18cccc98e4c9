package io.dynamo.core.ring;

import io.dynamo.core.log.Untrusted;
import java.util.Objects;

/** The stable name of a physical node, as written in its configuration. */
public record NodeId(String value) implements Comparable<NodeId> {
  public NodeId {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty() || value.length() > 128) {
      // Ids arrive from the network (hellos, contexts): the message must be safe to log and echo.
      throw new IllegalArgumentException(
          "node id must be 1 to 128 characters: '" + Untrusted.escape(value) + "'");
    }
  }

  public static NodeId of(String value) {
    return new NodeId(value);
  }

  @Override
  public int compareTo(NodeId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}

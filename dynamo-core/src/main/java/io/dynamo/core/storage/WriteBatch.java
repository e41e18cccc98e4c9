package io.dynamo.core.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Writes that a storage engine applies atomically, across key spaces. */
public final class WriteBatch {
  /** One put (value non-null) or delete (value null). */
  public record Op(Keyspace space, byte[] key, byte[] value) {
    public Op {
      Objects.requireNonNull(space, "space");
      Objects.requireNonNull(key, "key");
    }
  }

  private final List<Op> ops = new ArrayList<>();

  public WriteBatch put(Keyspace space, byte[] key, byte[] value) {
    ops.add(new Op(space, key, Objects.requireNonNull(value, "value")));
    return this;
  }

  public WriteBatch delete(Keyspace space, byte[] key) {
    ops.add(new Op(space, key, null));
    return this;
  }

  public List<Op> ops() {
    return List.copyOf(ops);
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }
}

package io.dynamo.core.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Writes that a storage engine applies atomically, across key spaces. Built by one thread, then
 * handed to {@link StorageEngine#write}; the engine does not keep it.
 */
public final class WriteBatch {
  /** One put (value non-null) or delete (value null). */
  public record Op(Keyspace space, byte[] key, byte[] value) {
    public Op {
      Objects.requireNonNull(space, "space");
      Objects.requireNonNull(key, "key");
    }
  }

  private final List<Op> ops = new ArrayList<>(4);
  private boolean sync;

  public WriteBatch put(Keyspace space, byte[] key, byte[] value) {
    ops.add(new Op(space, key, Objects.requireNonNull(value, "value")));
    return this;
  }

  public WriteBatch delete(Keyspace space, byte[] key) {
    ops.add(new Op(space, key, null));
    return this;
  }

  /**
   * Asks the engine to make this batch durable against power loss before {@link
   * StorageEngine#write} returns, even when it does not sync every write. For rare writes that later
   * writes depend on (a {@link DotCounter} lease).
   */
  public WriteBatch requireSync() {
    sync = true;
    return this;
  }

  /** Whether {@link #requireSync()} was called. */
  public boolean syncRequired() {
    return sync;
  }

  /** The ops in the order added; a read-only view. */
  public List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }
}

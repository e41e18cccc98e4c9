package io.dynamo.client.impl;

import io.dynamo.core.version.VectorClock;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per key, the least a session's next get must return: the merge of the versions it wrote and (for
 * monotonic reads) the contexts it read. Bounded: past {@code maxKeys} the least recently used key
 * is forgotten, and with it the guarantee for that key.
 */
public final class SessionFloors {
  private final Map<KeyRef, VectorClock> floors;

  public SessionFloors(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be positive: " + maxKeys);
    }
    this.floors = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<KeyRef, VectorClock> eldest) {
        return size() > maxKeys;
      }
    };
  }

  /** The key's floor; null when the session requires nothing of it. */
  public synchronized VectorClock get(String bucket, byte[] key) {
    return floors.get(new KeyRef(bucket, key));
  }

  /** Raises the key's floor to cover {@code clock} too. */
  public synchronized void raise(String bucket, byte[] key, VectorClock clock) {
    if (clock.isEmpty()) {
      return;
    }
    floors.merge(new KeyRef(bucket, key), clock, VectorClock::merge);
  }

  public synchronized int size() {
    return floors.size();
  }

  /** A bucket and key, compared by content. */
  private record KeyRef(String bucket, byte[] key) {
    @Override
    public boolean equals(Object o) {
      return o instanceof KeyRef k && bucket.equals(k.bucket) && Arrays.equals(key, k.key);
    }

    @Override
    public int hashCode() {
      return bucket.hashCode() * 31 + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
      return bucket + "/" + new String(key, StandardCharsets.UTF_8);
    }
  }
}

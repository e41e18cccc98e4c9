package io.dynamo.core.storage;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An in-memory engine that records what is asked of it: the batches written (in order), the reads
 * per key space, and an optional check run on every batch right after it is applied (under the
 * engine's lock, so the check sees exactly the state that batch produced).
 */
final class RecordingStorageEngine implements StorageEngine {
  final InMemoryStorageEngine store = new InMemoryStorageEngine();
  private final List<WriteBatch> batches = new ArrayList<>();
  private final Map<Keyspace, AtomicLong> gets = new EnumMap<>(Keyspace.class);
  private volatile Consumer<WriteBatch> afterWrite = b -> {};
  private volatile RuntimeException failNextWrite;

  RecordingStorageEngine() {
    for (Keyspace s : Keyspace.values()) {
      gets.put(s, new AtomicLong());
    }
  }

  /** Runs {@code check} on every batch right after it is applied. */
  RecordingStorageEngine afterWrite(Consumer<WriteBatch> check) {
    this.afterWrite = check;
    return this;
  }

  /** The next write throws {@code failure} without applying anything. */
  void failNextWrite(RuntimeException failure) {
    this.failNextWrite = failure;
  }

  synchronized List<WriteBatch> batches() {
    return List.copyOf(batches);
  }

  synchronized void clearBatches() {
    batches.clear();
  }

  long gets(Keyspace space) {
    return gets.get(space).get();
  }

  @Override
  public byte[] get(Keyspace space, byte[] key) {
    gets.get(space).incrementAndGet();
    return store.get(space, key);
  }

  @Override
  public synchronized void write(WriteBatch batch) {
    RuntimeException failure = failNextWrite;
    if (failure != null) {
      failNextWrite = null;
      throw failure;
    }
    store.write(batch);
    batches.add(batch);
    afterWrite.accept(batch);
  }

  @Override
  public void scan(Keyspace space, byte[] fromInclusive, byte[] toExclusive, Visitor visitor) {
    store.scan(space, fromInclusive, toExclusive, visitor);
  }

  @Override
  public void close() {}
}

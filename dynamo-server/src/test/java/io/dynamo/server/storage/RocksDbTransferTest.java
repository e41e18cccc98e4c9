package io.dynamo.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.transfer.TransferId;
import io.dynamo.core.transfer.TransferProgress;
import io.dynamo.core.transfer.TransferService;
import io.dynamo.core.transfer.TransferSettings;
import io.dynamo.core.transfer.TransferState;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.VectorClock;
import io.dynamo.proto.v1.Envelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition streamed between two RocksDB engines by the transfer protocol, on a one-thread event
 * loop (storage work runs inline): the copy equals the source's snapshot, writes after the
 * snapshot are not in it, and the source's snapshot is released at the end.
 */
class RocksDbTransferTest {
  @TempDir Path dir;

  private record Event(long time, long seq, Runnable task) {}

  private final PriorityQueue<Event> events =
      new PriorityQueue<>(Comparator.comparingLong(Event::time).thenComparingLong(Event::seq));
  private long now;
  private long seq;

  private Scheduler.Cancellable schedule(long delay, Runnable task) {
    Event e = new Event(now + delay, seq++, task);
    events.add(e);
    return () -> events.remove(e);
  }

  private final Clock clock = () -> now;
  private final Scheduler scheduler = this::schedule;
  private final StorageExecutor storage = new StorageExecutor() {
    @Override
    public <T> void execute(Callable<T> work, BiConsumer<T, Throwable> onDone) {
      schedule(1, () -> {
        T result = null;
        Throwable error = null;
        try {
          result = work.call();
        } catch (Exception e) {
          error = e;
        }
        T r = result;
        Throwable f = error;
        schedule(0, () -> onDone.accept(r, f));
      });
    }
  };
  private final Map<NodeId, TransferService> services = new HashMap<>();

  private TransferService service(NodeId self, LocalReplica replica) {
    TransferService s = new TransferService(self, TransferSettings.DEFAULTS.withChunk(64 << 10, 512),
        replica, bucket -> ConflictMode.SIBLINGS, TransferService.SourcePolicy.ANY, clock, scheduler,
        storage, (to, m) -> deliver(self, to, m));
    services.put(self, s);
    return s;
  }

  private void deliver(NodeId from, NodeId to, Envelope m) {
    schedule(1, () -> services.get(to).onMessage(from, m));
  }

  private static DataKey key(int partition, int i) {
    return new DataKey(partition, "b", ("key-" + i).getBytes(StandardCharsets.UTF_8));
  }

  private static List<byte[]> records(RocksDbStorageEngine engine, int partition) {
    List<byte[]> out = new ArrayList<>();
    engine.scan(Keyspace.DATA, DataKey.partitionStart(partition), DataKey.partitionStart(partition + 1),
        (k, v) -> out.add(v));
    return out;
  }

  @Test
  void aPartitionStreamsBetweenRocksDbEnginesAsOfTheSourcesSnapshot() {
    NodeId a = NodeId.of("a");
    NodeId b = NodeId.of("b");
    try (RocksDbStorageEngine left = RocksDbStorageEngine.open(dir.resolve("a"), false, true, RocksDbStorageEngineTest.SMALL);
        RocksDbStorageEngine right = RocksDbStorageEngine.open(dir.resolve("b"), false, true, RocksDbStorageEngineTest.SMALL)) {
      LocalReplica source = new LocalReplica(left, 10);
      LocalReplica target = new LocalReplica(right, 10);
      for (int p = 4; p <= 6; p++) {
        for (int i = 0; i < 3_000; i++) {
          source.coordinate(key(p, i), a, 1_000 + i, VectorClock.EMPTY, false,
              ("value-" + p + "-" + i).getBytes(StandardCharsets.UTF_8), ConflictMode.SIBLINGS);
        }
      }
      service(a, source);
      TransferService receiving = service(b, target);
      CompletableFuture<TransferProgress> f = receiving.start(TransferId.of("p5"), 5, a);
      List<byte[]> atSnapshot = null;
      while (!f.isDone() && !events.isEmpty()) {
        Event e = events.poll();
        now = e.time();
        e.task().run();
        if (atSnapshot == null && left.openSnapshots() == 1) {
          atSnapshot = records(left, 5);
          // After the snapshot: neither streamed nor lost on the source.
          source.coordinate(key(5, 3_000), a, 9_999, VectorClock.EMPTY, false,
              "late".getBytes(StandardCharsets.UTF_8), ConflictMode.SIBLINGS);
        }
      }
      assertThat(f.join().state()).isEqualTo(TransferState.COMPLETED);
      assertThat(f.join().keysDone()).isEqualTo(3_000);
      assertThat(atSnapshot).isNotNull();
      List<byte[]> copied = records(right, 5);
      assertThat(copied).hasSize(3_000);
      for (int i = 0; i < copied.size(); i++) {
        assertThat(copied.get(i)).isEqualTo(atSnapshot.get(i));
      }
      assertThat(records(right, 4)).isEmpty();
      assertThat(records(right, 6)).isEmpty();
      while (!events.isEmpty()) {
        Event e = events.poll();
        now = e.time();
        e.task().run();
      }
      assertThat(left.openSnapshots()).as("released after the target closed the transfer").isZero();
    }
  }
}

package io.dynamo.core.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.TransferChunk;
import io.dynamo.proto.v1.TransferRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Streams partitions between simulated nodes ({@link TransferHarness}): every record arrives, live
 * writes on both sides merge with the copy, crashes of either side resume where they stopped,
 * corrupt, malformed and lost messages are survived, and the throttle and the concurrency caps
 * hold.
 */
class PartitionTransferTest {
  static final int P = 7;
  static final TransferSettings SMALL_CHUNKS =
      TransferSettings.DEFAULTS.withChunk(16 << 10, 256).withRate(0, 0)
          .withTimeouts(200, 2_000, 30_000);

  final TransferId id = TransferId.of("move-7-to-b");

  static DataKey key(int partition, int i) {
    return new DataKey(partition, "b", ("key-" + i).getBytes(StandardCharsets.UTF_8));
  }

  static byte[] value(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static void fill(TransferHarness.Node node, int partition, int keys, int valueBytes) {
    for (int i = 0; i < keys; i++) {
      byte[] v = Arrays.copyOf(value("v" + i + "-"), Math.max(valueBytes, 8));
      node.replica.coordinate(key(partition, i), node.id, node.clock.currentTimeMillis(),
          VectorClock.EMPTY, false, v, ConflictMode.SIBLINGS);
    }
  }

  static Map<String, byte[]> partition(TransferHarness.Node node, int partition) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    node.engine.scan(Keyspace.DATA, DataKey.partitionStart(partition), DataKey.partitionStart(partition + 1),
        (k, v) -> {
          out.put(Arrays.toString(k), v);
          return true;
        });
    return out;
  }

  static void assertSameRecords(TransferHarness.Node a, TransferHarness.Node b, int partition) {
    Map<String, byte[]> left = partition(a, partition);
    Map<String, byte[]> right = partition(b, partition);
    assertThat(right.keySet()).containsExactlyElementsOf(left.keySet());
    for (Map.Entry<String, byte[]> e : left.entrySet()) {
      assertThat(right.get(e.getKey())).as("record of %s", e.getKey()).isEqualTo(e.getValue());
    }
  }

  static TransferProgress await(TransferHarness h, CompletableFuture<TransferProgress> f) {
    assertThat(h.queue.runUntil(f::isDone)).as("transfer finished").isTrue();
    return f.join();
  }

  @Test
  void streamsTenThousandKeysAndEveryRecordArrivesUnchanged() {
    TransferHarness h = new TransferHarness(TransferSettings.DEFAULTS.withRate(0, 0));
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 10_000, 40);
    fill(a, P - 1, 100, 40);
    fill(a, P + 1, 100, 40);

    TransferProgress done = await(h, b.service.start(id, P, a.id));

    assertThat(done.state()).isEqualTo(TransferState.COMPLETED);
    assertThat(done.keysDone()).isEqualTo(10_000);
    long bytes = partition(a, P).values().stream().mapToLong(v -> v.length).sum();
    assertThat(done.bytesDone()).isGreaterThan(bytes); // records plus keys
    assertSameRecords(a, b, P);
    assertThat(partition(b, P - 1)).isEmpty();
    assertThat(partition(b, P + 1)).isEmpty();
    h.queue.runUntilIdle();
    assertThat(a.service.stats().outgoingOpen()).as("snapshot released").isZero();
    assertThat(b.service.stats().incomingRunning()).isZero();

    // A late duplicate of the first request opens no new snapshot.
    Envelope first = h.delivered.stream().filter(Envelope::hasTransferChunkRequest).findFirst().orElseThrow();
    a.service.onMessage(b.id, first);
    assertThat(a.service.stats().outgoingOpen()).isZero();
  }

  @Test
  void liveWritesOnBothSidesDuringTheCopyEndUpMergedOnTheTarget() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    int keys = 3_000;
    fill(a, P, keys, 40);
    Random random = new Random(42);
    List<Integer> writtenOnB = new ArrayList<>();
    CompletableFuture<TransferProgress> f = b.service.start(id, P, a.id);
    // Every 2 ms, as long as the copy runs: a write coordinated by the source and replicated to
    // the target (the new owner is in the write set), in either order against the copy, and a
    // write coordinated by the target alone, concurrent with the source's versions.
    AtomicInteger writes = new AtomicInteger();
    Runnable[] tick = new Runnable[1];
    tick[0] = () -> {
      if (f.isDone()) {
        return;
      }
      DataKey k = key(P, random.nextInt(keys));
      SiblingSet current = a.replica.read(k);
      LocalReplica.Coordinated c = a.replica.coordinate(k, a.id, a.clock.currentTimeMillis(),
          current.context(), false, value("live-a-" + writes.get()), ConflictMode.SIBLINGS);
      b.replica.merge(k, c.record(), ConflictMode.SIBLINGS, null, 0);
      int onB = random.nextInt(keys);
      b.replica.coordinate(key(P, onB), b.id, b.clock.currentTimeMillis(), VectorClock.EMPTY, false,
          value("live-b-" + writes.get()), ConflictMode.SIBLINGS);
      writtenOnB.add(onB);
      writes.incrementAndGet();
      h.queue.schedule(2, "write", tick[0]);
    };
    h.queue.schedule(0, "write", tick[0]);

    assertThat(await(h, f).state()).isEqualTo(TransferState.COMPLETED);
    assertThat(writes.get()).isGreaterThan(20);
    for (int i = 0; i < keys; i++) {
      SiblingSet onA = a.replica.read(key(P, i));
      SiblingSet onB = b.replica.read(key(P, i));
      assertThat(onB.merge(onA, ConflictMode.SIBLINGS)).as("key %d: the target lacks none of the source's versions", i)
          .isEqualTo(onB);
    }
    for (int i : writtenOnB) {
      SiblingSet onB = b.replica.read(key(P, i));
      assertThat(onB.versions()).as("key %d keeps the target's own write beside the source's", i)
          .hasSizeGreaterThanOrEqualTo(2);
      assertThat(onB.versions()).anyMatch(v -> v.dot().node().equals(b.id));
      assertThat(onB.versions()).anyMatch(v -> v.dot().node().equals(a.id));
    }
  }

  @Test
  void aTargetThatCrashesResumesFromItsPersistedProgress() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 10_000, 40);
    TransferService first = b.service;
    first.start(id, P, a.id);
    assertThat(h.queue.runUntil(() -> first.progress(id).orElseThrow().keysDone() >= 4_000)).isTrue();
    long before = first.progress(id).orElseThrow().keysDone();

    b.crashAndRestart();
    int deliveredBefore = h.delivered.size();
    TransferProgress done = await(h, b.service.start(id, P, a.id));

    assertThat(done.state()).isEqualTo(TransferState.COMPLETED);
    assertThat(done.keysDone()).isEqualTo(10_000);
    long resent = recordsDelivered(h.delivered.subList(deliveredBefore, h.delivered.size()));
    assertThat(resent).as("records streamed after the restart").isLessThanOrEqualTo(10_000 - before + 256);
    assertSameRecords(a, b, P);
  }

  @Test
  void aSourceThatCrashesServesTheRestFromANewSnapshot() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 10_000, 40);
    CompletableFuture<TransferProgress> f = b.service.start(id, P, a.id);
    assertThat(h.queue.runUntil(() -> b.service.progress(id).orElseThrow().keysDone() >= 4_000)).isTrue();

    a.crashAndRestart();
    TransferProgress done = await(h, f);

    assertThat(done.state()).isEqualTo(TransferState.COMPLETED);
    assertThat(done.keysDone()).isEqualTo(10_000);
    assertThat(recordsDelivered(h.delivered)).as("nothing streamed twice but a chunk in flight")
        .isLessThanOrEqualTo(10_000 + 256);
    long fromTheStart = h.delivered.stream()
        .filter(Envelope::hasTransferChunk)
        .filter(m -> m.getTransferChunk().getAfterKey().isEmpty())
        .count();
    assertThat(fromTheStart).as("chunks starting at the partition's first key").isEqualTo(1);
    assertSameRecords(a, b, P);
  }

  @Test
  void aCorruptedChunkIsDetectedAndFetchedAgain() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 2_000, 40);
    AtomicInteger chunks = new AtomicInteger();
    h.network = (to, m) -> {
      if (m.hasTransferChunk() && chunks.incrementAndGet() == 3) {
        TransferChunk c = m.getTransferChunk();
        byte[] record = c.getRecords(5).getRecord().toByteArray();
        record[record.length / 2] ^= 0x40;
        return m.toBuilder().setTransferChunk(c.toBuilder()
            .setRecords(5, c.getRecords(5).toBuilder().setRecord(ByteString.copyFrom(record)))).build();
      }
      return m;
    };

    TransferProgress done = await(h, b.service.start(id, P, a.id));

    assertThat(done.state()).isEqualTo(TransferState.COMPLETED);
    assertThat(done.corruptChunks()).isEqualTo(1);
    assertThat(b.service.stats().corruptChunks()).isEqualTo(1);
    assertSameRecords(a, b, P);
  }

  @Test
  void lostRequestsAndChunksAreSentAgain() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 3_000, 40);
    AtomicInteger n = new AtomicInteger();
    h.network = (to, m) -> n.incrementAndGet() % 4 == 0 ? null : m;

    TransferProgress done = await(h, b.service.start(id, P, a.id));

    assertThat(done.state()).isEqualTo(TransferState.COMPLETED);
    assertThat(done.retries()).isGreaterThan(0);
    assertSameRecords(a, b, P);
  }

  @Test
  void theThrottleHoldsTheByteRate() {
    long rate = 1L << 20;
    long burst = 128L << 10;
    TransferHarness h = new TransferHarness(
        TransferSettings.DEFAULTS.withChunk(32 << 10, 1024).withRate(rate, burst));
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 4_000, 2_000);
    long start = h.queue.now();
    CompletableFuture<TransferProgress> f = b.service.start(id, P, a.id);
    assertThat(h.queue.runUntil(() -> b.service.progress(id).orElseThrow().bytesDone() > (2L << 20))).isTrue();
    TransferProgress midway = b.service.progress(id).orElseThrow();
    TransferProgress done = await(h, f);
    long elapsed = h.queue.now() - start;

    double expectedMillis = (done.bytesDone() - burst) * 1000.0 / rate;
    assertThat((double) elapsed).as("elapsed ms for %d bytes", done.bytesDone())
        .isBetween(expectedMillis * 0.9, expectedMillis * 1.1);
    assertThat(midway.estimatedBytes()).isPositive();
    assertThat(midway.bytesPerSecond()).isBetween(rate * 0.8, rate * 1.3);
    assertThat(midway.etaMillis()).isPositive();
    assertThat(done.etaMillis()).isZero();
  }

  @Test
  void malformedAndOversizedChunksAreRefusedAndTheTransferStillCompletes() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 1_000, 40);
    fill(a, P + 1, 10, 40);
    byte[] foreignKey = key(P + 1, 1).encode();
    byte[] foreignRecord = a.replica.readRecord(key(P + 1, 1));
    AtomicInteger chunks = new AtomicInteger();
    h.network = (to, m) -> {
      if (!m.hasTransferChunk()) {
        return m;
      }
      TransferChunk c = m.getTransferChunk();
      TransferChunk.Builder forged = c.toBuilder();
      switch (chunks.incrementAndGet()) {
        case 1 -> forged.addRecords(0, TransferRecord.newBuilder()
            .setKey(ByteString.copyFrom(foreignKey)).setRecord(ByteString.copyFrom(foreignRecord)));
        case 2 -> forged.addRecords(TransferRecord.newBuilder()
            .setKey(c.getLastKey().concat(ByteString.copyFromUtf8("z")))
            .setRecord(ByteString.copyFrom(new byte[SMALL_CHUNKS.chunkMaxBytes()])));
        case 3 -> forged.setRecords(0, c.getRecords(0).toBuilder()
            .setKey(ByteString.copyFrom(new byte[] {0, 0, 0, P, 9})));
        default -> {
          return m;
        }
      }
      TransferChunk f = forged.setLastKey(forged.getRecords(forged.getRecordsCount() - 1).getKey()).build();
      f = f.toBuilder().setCrc32C(TransferChunks.checksum(
          f.getPartition(), f.getAfterKey(), f.getRecordsList(), f.getLastKey(), f.getDone())).build();
      return m.toBuilder().setTransferChunk(f).build();
    };

    TransferProgress done = await(h, b.service.start(id, P, a.id));

    assertThat(done.state()).isEqualTo(TransferState.COMPLETED);
    assertThat(done.refusedChunks()).isEqualTo(3);
    assertThat(done.corruptChunks()).isZero();
    assertThat(partition(b, P + 1)).as("nothing outside the partition was written").isEmpty();
    assertSameRecords(a, b, P);
  }

  @Test
  void aSourceThatNeverAnswersFailsTheTransferAfterTheStallTimeout() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 100, 40);
    h.network = (to, m) -> to.equals(a.id) ? null : m;

    CompletableFuture<TransferProgress> f = b.service.start(id, P, a.id);
    assertThat(h.queue.runUntil(f::isDone)).isTrue();

    assertThat(f).isCompletedExceptionally();
    TransferProgress p = b.service.progress(id).orElseThrow();
    assertThat(p.state()).isEqualTo(TransferState.FAILED);
    assertThat(p.failure()).contains("no progress");
    assertThat(h.queue.now()).isBetween(SMALL_CHUNKS.stallTimeoutMillis(),
        SMALL_CHUNKS.stallTimeoutMillis() + SMALL_CHUNKS.maxRequestTimeoutMillis() + 10);
  }

  @Test
  void transfersBeyondTheCapsQueueOrWaitAndAllComplete() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS.withConcurrency(1, 1));
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    TransferHarness.Node c = h.node("c");
    for (int p = 1; p <= 3; p++) {
      fill(a, p, 500, 40);
    }
    List<CompletableFuture<TransferProgress>> all = new ArrayList<>();
    for (int p = 1; p <= 3; p++) {
      all.add(b.service.start(TransferId.of("to-b-" + p), p, a.id));
    }
    all.add(c.service.start(TransferId.of("to-c-1"), 1, a.id));
    int maxRunning = 0;
    int maxServing = 0;
    while (!all.stream().allMatch(CompletableFuture::isDone)) {
      assertThat(h.queue.step()).isTrue();
      maxRunning = Math.max(maxRunning, b.service.stats().incomingRunning());
      maxServing = Math.max(maxServing, a.service.stats().outgoingOpen());
    }
    assertThat(all).allMatch(f -> f.join().state() == TransferState.COMPLETED);
    assertThat(maxRunning).isEqualTo(1);
    assertThat(maxServing).isEqualTo(1);
    assertThat(a.service.stats().busyRefusals()).isPositive();
    for (int p = 1; p <= 3; p++) {
      assertSameRecords(a, b, p);
    }
    assertSameRecords(a, c, 1);
  }

  @Test
  void aCompletedTransferStartedAgainCompletesAtOnceAndDeletePartitionDropsOnlyThatRange() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 500, 40);
    fill(a, P + 1, 50, 40);
    await(h, b.service.start(id, P, a.id));
    h.queue.runUntilIdle(); // the close message and the release of the source's snapshot
    b.crashAndRestart();
    int delivered = h.delivered.size();

    TransferProgress again = await(h, b.service.start(id, P, a.id));
    assertThat(again.state()).isEqualTo(TransferState.COMPLETED);
    assertThat(again.keysDone()).isEqualTo(500);
    assertThat(h.delivered.size()).as("messages sent").isEqualTo(delivered);

    CompletableFuture<Void> deleted = a.service.deletePartition(P);
    assertThat(h.queue.runUntil(deleted::isDone)).isTrue();
    assertThat(partition(a, P)).isEmpty();
    assertThat(partition(a, P + 1)).hasSize(50);
    CompletableFuture<Void> forgotten = b.service.forget(id);
    assertThat(h.queue.runUntil(forgotten::isDone)).isTrue();
    assertThat(b.engine.get(Keyspace.META, ProgressRow.key(id))).isNull();
  }

  @Test
  void recordsThatDoNotDecodeAreSkippedAndCounted() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 100, 40);
    byte[] bad = VersionCodec.encodeSiblings(a.replica.read(key(P, 3)));
    bad[bad.length - 1] ^= 1; // breaks the record's own CRC; the chunk's checksum is computed over it
    a.engine.write(new io.dynamo.core.storage.WriteBatch().put(Keyspace.DATA, key(P, 3).encode(), bad));

    TransferProgress done = await(h, b.service.start(id, P, a.id));

    assertThat(done.state()).isEqualTo(TransferState.COMPLETED);
    assertThat(done.refusedChunks()).isEqualTo(1);
    assertThat(b.engine.get(Keyspace.DATA, key(P, 3).encode())).isNull();
    assertThat(partition(b, P)).hasSize(99);
  }

  @Test
  void requestsFromOutsideThePartitionAreRefusedWithInvalid() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 10, 40);
    List<Envelope> answers = new ArrayList<>();
    h.network = (to, m) -> {
      if (to.equals(b.id)) {
        answers.add(m);
        return null;
      }
      return m;
    };
    a.service.onMessage(b.id, Envelope.newBuilder().setTransferChunkRequest(
        io.dynamo.proto.v1.TransferChunkRequest.newBuilder()
            .setTransferId("x").setPartition(P).setMaxBytes(100).setMaxRecords(10)
            .setAfterKey(ByteString.copyFrom(key(P + 1, 0).encode()))).build());
    a.service.onMessage(b.id, Envelope.newBuilder().setTransferChunkRequest(
        io.dynamo.proto.v1.TransferChunkRequest.newBuilder()
            .setTransferId("bad id\n").setPartition(P).setMaxBytes(100).setMaxRecords(10)).build());
    h.queue.runUntilIdle();
    assertThat(answers).hasSize(2).allMatch(m -> m.getTransferError().getCode()
        == io.dynamo.proto.v1.TransferError.Code.INVALID);
    assertThat(a.service.stats().outgoingOpen()).isZero();
    assertThat(a.service.stats().refusedRequests()).isEqualTo(2);
  }

  @Test
  void aRunWithLostMessagesRepeatsExactly() {
    long[] hashes = new long[2];
    for (int run = 0; run < 2; run++) {
      TransferHarness h = new TransferHarness(SMALL_CHUNKS);
      TransferHarness.Node a = h.node("a");
      TransferHarness.Node b = h.node("b");
      fill(a, P, 1_000, 40);
      AtomicInteger n = new AtomicInteger();
      h.network = (to, m) -> n.incrementAndGet() % 3 == 0 ? null : m;
      await(h, b.service.start(id, P, a.id));
      h.queue.runUntilIdle();
      hashes[run] = h.queue.trace().hash() * 31 + h.queue.now();
    }
    assertThat(hashes[1]).isEqualTo(hashes[0]);
  }

  @Test
  void cancellingATransferReleasesTheSourcesSnapshotAndKeepsItsProgress() {
    TransferHarness h = new TransferHarness(SMALL_CHUNKS);
    TransferHarness.Node a = h.node("a");
    TransferHarness.Node b = h.node("b");
    fill(a, P, 3_000, 40);
    CompletableFuture<TransferProgress> f = b.service.start(id, P, a.id);
    assertThat(h.queue.runUntil(() -> b.service.progress(id).orElseThrow().keysDone() >= 1_000)).isTrue();
    assertThat(a.service.stats().outgoingOpen()).isEqualTo(1);

    b.service.cancel(id);
    h.queue.runUntilIdle();

    assertThat(f).isCompletedExceptionally();
    assertThat(b.service.progress(id).orElseThrow().state()).isEqualTo(TransferState.CANCELLED);
    assertThat(a.service.stats().outgoingOpen()).isZero();
    long kept = ProgressRow.read(b.engine, id).keysDone();
    assertThat(kept).isGreaterThanOrEqualTo(1_000);
    TransferProgress resumed = await(h, b.service.start(id, P, a.id));
    assertThat(resumed.state()).isEqualTo(TransferState.COMPLETED);
    assertThat(resumed.keysDone()).isEqualTo(3_000);
    assertSameRecords(a, b, P);
  }

  static long recordsDelivered(List<Envelope> messages) {
    return messages.stream().filter(Envelope::hasTransferChunk)
        .mapToLong(m -> m.getTransferChunk().getRecordsCount()).sum();
  }

  static NodeId node(String name) {
    return NodeId.of(name);
  }
}

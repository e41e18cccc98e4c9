package io.dynamo.bench;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.RequestOptions;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A closed loop: each of a fixed number of slots (simulated clients) has exactly one request in
 * flight and sends the next when the answer arrives. No thread waits on a request: the next one is
 * sent from the completion callback on the client's I/O thread, so a few threads drive many slots.
 *
 * <p>Puts carry the latest context seen for their key (from a get or a put), so the store replaces
 * the version instead of piling up siblings; siblings still appear when two slots write one key
 * concurrently, and the next get of the key, whose context covers them all, folds them together.
 */
final class ClosedLoop {
  private final DynamoClient client;
  private final String bucket;
  private final RequestOptions options;
  private final Workload workload;
  private final byte[] value;
  private final AtomicReferenceArray<Context> contexts;
  private final LatencyRecorder recorder;
  private final Executor afterError;
  private volatile boolean stopping;
  private CountDownLatch idle;

  ClosedLoop(
      DynamoClient client, String bucket, RequestOptions options, Workload workload, byte[] value,
      AtomicReferenceArray<Context> contexts, LatencyRecorder recorder, Executor afterError) {
    this.client = client;
    this.bucket = bucket;
    this.options = options;
    this.workload = workload;
    this.value = value;
    this.contexts = contexts;
    this.recorder = recorder;
    this.afterError = afterError;
  }

  /** Starts {@code slots} slots, slot {@code i} drawing from a random generator seeded {@code seed + i}. */
  void start(int slots, long seed) {
    idle = new CountDownLatch(slots);
    for (int i = 0; i < slots; i++) {
      new Slot(new SplittableRandom(seed + i)).next();
    }
  }

  /** Lets the requests in flight finish and sends no more; true once every slot is idle. */
  boolean stop(Duration drainTimeout) throws InterruptedException {
    stopping = true;
    return idle.await(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private final class Slot {
    private final SplittableRandom random;

    Slot(SplittableRandom random) {
      this.random = random;
    }

    void next() {
      if (stopping) {
        idle.countDown();
        return;
      }
      Operation op = workload.nextOperation(random);
      int k = workload.nextKey(random);
      byte[] key = Workload.key(k);
      long start = System.nanoTime();
      CompletableFuture<?> request =
          op == Operation.GET
              ? client.getAsync(bucket, key, options).thenAccept(r -> onGet(k, r, start))
              : client.putAsync(bucket, key, contexts.get(k), value, options)
                  .thenAccept(c -> contexts.set(k, c));
      request.whenComplete(
          (ignored, error) -> {
            long end = System.nanoTime();
            if (error == null) {
              recorder.success(op, start, end);
              next();
            } else {
              recorder.failure(op, start, end, error);
              // A failure may complete on this very stack (say, a closed client): hop threads so a
              // run of them cannot overflow it.
              afterError.execute(this::next);
            }
          });
    }

    private void onGet(int k, GetResult result, long start) {
      if (!result.context().isEmpty()) {
        contexts.set(k, result.context());
      }
      if (result.hasSiblings()) {
        recorder.siblings(start, System.nanoTime());
      }
    }
  }
}

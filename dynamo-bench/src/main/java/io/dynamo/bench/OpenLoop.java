package io.dynamo.bench;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.RequestOptions;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * An open loop: one pacer thread sends each request at its intended time from a
 * {@link SendSchedule}, whatever the answers do, and the answers are recorded from the client's
 * I/O threads. What is outstanding is bounded by {@code maxInFlight}: a request due while that
 * many are outstanding is counted as not sent (client limit) and skipped, so a store that stops
 * answering costs the generator bounded memory and the loss is visible in the report.
 *
 * <p>Each request's operation and key are drawn before the limit is checked, so the sequence of
 * requests is the same with any limit. Puts carry the latest context seen for their key, as in
 * {@link ClosedLoop}.
 */
final class OpenLoop {
  private final DynamoClient client;
  private final String bucket;
  private final RequestOptions options;
  private final Workload workload;
  private final byte[] value;
  private final AtomicReferenceArray<Context> contexts;
  private final OpenLoopRecorder recorder;
  private final int maxInFlight;
  private final SplittableRandom random;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CountDownLatch drained = new CountDownLatch(1);
  private volatile boolean scheduleDone;
  private Thread pacer;

  OpenLoop(
      DynamoClient client, String bucket, RequestOptions options, Workload workload, byte[] value,
      AtomicReferenceArray<Context> contexts, OpenLoopRecorder recorder, int maxInFlight, long seed) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
    }
    this.client = client;
    this.bucket = bucket;
    this.options = options;
    this.workload = workload;
    this.value = value;
    this.contexts = contexts;
    this.recorder = recorder;
    this.maxInFlight = maxInFlight;
    this.random = new SplittableRandom(seed);
  }

  /** Starts sending on a thread of its own; the schedule's times should lie a little ahead. */
  void start(SendSchedule schedule) {
    if (pacer != null) {
      throw new IllegalStateException("already started");
    }
    pacer = new Thread(() -> pace(schedule), "bench-pacer");
    pacer.setDaemon(true);
    pacer.start();
  }

  /** Requests sent and not yet answered. */
  int inFlight() {
    return inFlight.get();
  }

  /**
   * Called once the schedule's end has passed: waits until every request was sent and answered,
   * about {@code timeout} at most; true if all were answered.
   */
  boolean awaitDrained(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    pacer.join(Math.max(1, timeout.toMillis()));
    return drained.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Stops sending (for an interrupted run); requests in flight still complete. */
  void stop() {
    if (pacer != null) {
      pacer.interrupt();
    }
  }

  private void pace(SendSchedule schedule) {
    try {
      while (schedule.hasNext() && !Thread.currentThread().isInterrupted()) {
        long wait = schedule.intendedAt() - System.nanoTime();
        if (wait > 0) {
          // Parking may end early (spuriously) or late (timer slack): the loop re-checks, and a
          // late wake-up sends the whole backlog, each request still timed from its own slot.
          LockSupport.parkNanos(wait);
          continue;
        }
        send(schedule.phase(), schedule.intendedAt());
        schedule.advance();
      }
    } finally {
      scheduleDone = true;
      if (inFlight.get() == 0) {
        drained.countDown();
      }
    }
  }

  private void send(int phase, long intended) {
    Operation op = workload.nextOperation(random);
    int k = workload.nextKey(random);
    recorder.offered(phase);
    // Only this thread increments, so the count cannot pass the limit between check and increment.
    if (inFlight.get() >= maxInFlight) {
      recorder.notSent(phase);
      return;
    }
    inFlight.incrementAndGet();
    recorder.sent(phase);
    byte[] key = Workload.key(k);
    long sentAt = System.nanoTime();
    CompletableFuture<?> request;
    try {
      request =
          op == Operation.GET
              ? client.getAsync(bucket, key, options).thenAccept(r -> onGet(k, r))
              : client.putAsync(bucket, key, contexts.get(k), value, options)
                  .thenAccept(c -> contexts.set(k, c));
    } catch (RuntimeException e) {
      request = CompletableFuture.failedFuture(e);
    }
    request.whenComplete(
        (ignored, error) -> {
          long end = System.nanoTime();
          if (error == null) {
            recorder.served(phase, op, intended, end);
          } else {
            recorder.failed(phase, sentAt, end, error);
          }
          if (inFlight.decrementAndGet() == 0 && scheduleDone) {
            drained.countDown();
          }
        });
  }

  private void onGet(int k, GetResult result) {
    if (!result.context().isEmpty()) {
      contexts.set(k, result.context());
    }
  }
}

package io.dynamo.bench;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.RequestOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load phase: writes every key once, with a fixed number of requests in flight, so that the
 * measured gets find data; keeps each key's context for the measured puts.
 */
final class Preloader {
  private final DynamoClient client;
  private final String bucket;
  private final RequestOptions options;
  private final byte[] value;
  private final AtomicReferenceArray<Context> contexts;
  private final Executor afterError;
  private final AtomicInteger cursor = new AtomicInteger();
  private final LongAdder failures = new LongAdder();
  private final AtomicReference<Throwable> firstError = new AtomicReference<>();
  private CountDownLatch done;

  Preloader(
      DynamoClient client, String bucket, RequestOptions options, byte[] value,
      AtomicReferenceArray<Context> contexts, Executor afterError) {
    this.client = client;
    this.bucket = bucket;
    this.options = options;
    this.value = value;
    this.contexts = contexts;
    this.afterError = afterError;
  }

  /** Writes keys {@code 0..contexts.length()-1}; returns the number of failed writes. */
  long run(int slots) throws InterruptedException {
    done = new CountDownLatch(slots);
    for (int i = 0; i < slots; i++) {
      next();
    }
    done.await();
    return failures.sum();
  }

  /** The first failure, or null. */
  Throwable firstError() {
    return firstError.get();
  }

  private void next() {
    int k = cursor.getAndIncrement();
    if (k >= contexts.length()) {
      done.countDown();
      return;
    }
    client
        .putAsync(bucket, Workload.key(k), contexts.get(k), value, options)
        .whenComplete(
            (context, error) -> {
              if (error == null) {
                contexts.set(k, context);
                next();
              } else {
                failures.increment();
                firstError.compareAndSet(null, error);
                afterError.execute(this::next);
              }
            });
  }
}

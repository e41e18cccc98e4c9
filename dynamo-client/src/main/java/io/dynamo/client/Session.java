package io.dynamo.client;

import io.dynamo.client.impl.SessionFloors;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.Occurs;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetResponse;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Gets, puts and deletes with session guarantees over a {@link DynamoClient} (see {@link
 * DynamoClient#session}). The session remembers, per key, the versions it wrote (read your writes)
 * and the contexts it read (monotonic reads); a get whose answer's context does not cover them is
 * read again: first through the key's other replicas as coordinators (each reads its own copy),
 * then with R raised to the bucket's N, with short pauses once every replica was asked, until an
 * answer covers them or the deadline passes. Thread-safe; share one per logical session (a user, a
 * request chain), not per process, or the guarantees cost more re-reads than they need.
 */
public final class Session {
  private final DynamoClient client;
  private final boolean readYourWrites;
  private final boolean monotonicReads;
  private final SessionFloors floors;

  Session(DynamoClient client, Set<SessionGuarantee> guarantees, int maxKeys) {
    this.client = client;
    EnumSet<SessionGuarantee> g =
        guarantees.isEmpty() ? EnumSet.noneOf(SessionGuarantee.class) : EnumSet.copyOf(guarantees);
    this.readYourWrites = g.contains(SessionGuarantee.READ_YOUR_WRITES);
    this.monotonicReads = g.contains(SessionGuarantee.MONOTONIC_READS);
    this.floors = new SessionFloors(maxKeys);
  }

  public CompletableFuture<GetResult> getAsync(String bucket, byte[] key, RequestOptions options) {
    VectorClock floor = floors.get(bucket, key);
    Duration t = options.timeout() == null ? client.timeout() : options.timeout();
    long deadline = System.nanoTime() + t.toNanos();
    int first = java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 16);
    return read(bucket, key, options, floor, deadline, first, 0);
  }

  public CompletableFuture<Context> putAsync(
      String bucket, byte[] key, Context context, byte[] value, RequestOptions options) {
    return client.writeAsync(bucket, key, context, value, options).thenApply(e -> {
      written(bucket, key, e.getPutResponse().getVersion());
      return Context.fromBytes(e.getPutResponse().getContext().toByteArray());
    });
  }

  /**
   * Deletes the versions {@code context} was read from; without a context, every version a
   * session get finds (so never fewer than the session's own writes).
   */
  public CompletableFuture<Context> deleteAsync(
      String bucket, byte[] key, Context context, RequestOptions options) {
    if (context == null || context.isEmpty()) {
      // Read through the session: a plain get could come from a replica that lags and find
      // nothing, and the delete would then silently leave the session's own write in place.
      return getAsync(bucket, key, options).thenCompose(found -> found.context().isEmpty()
          ? CompletableFuture.completedFuture(Context.NONE)
          : deleteAsync(bucket, key, found.context(), options));
    }
    return client.removeAsync(bucket, key, context, options).thenApply(e -> {
      if (e == null) {
        return Context.NONE;
      }
      written(bucket, key, e.getDeleteResponse().getVersion());
      return Context.fromBytes(e.getDeleteResponse().getContext().toByteArray());
    });
  }

  public GetResult get(String bucket, String key) {
    return DynamoClient.await(getAsync(bucket, utf8(key), RequestOptions.DEFAULT));
  }

  public Context put(String bucket, String key, Context context, byte[] value) {
    return DynamoClient.await(putAsync(bucket, utf8(key), context, value, RequestOptions.DEFAULT));
  }

  public Context delete(String bucket, String key, Context context) {
    return DynamoClient.await(deleteAsync(bucket, utf8(key), context, RequestOptions.DEFAULT));
  }

  private void written(String bucket, byte[] key, ByteString version) {
    if (readYourWrites && !version.isEmpty()) {
      floors.raise(bucket, key, decode(version));
    }
  }

  private CompletableFuture<GetResult> read(
      String bucket, byte[] key, RequestOptions options, VectorClock floor, long deadline, int first,
      int round) {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      return CompletableFuture.failedFuture(new StaleReadException(
          "no replica answered with a version covering this session's writes and reads of the key"
              + " within the deadline (" + round + " reads)"));
    }
    int n = Math.max(1, client.replicationFactor(bucket));
    // Round 0 is a plain get; the next rounds have each other replica coordinate (it reads its own
    // copy); past those, R = N, so every replica's copy is merged into the answer.
    int r = round >= n ? client.replicationFactor(bucket) : 0;
    RequestOptions attempt = options.withTimeout(Duration.ofNanos(remaining));
    return client.readAsync(bucket, key, attempt, r, (first + round) % n)
        .handle((e, error) -> {
          if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
            if (r > 0 && cause instanceof QuorumUnavailableException) {
              return again(bucket, key, options, floor, deadline, first, round);
            }
            return CompletableFuture.<GetResult>failedFuture(cause);
          }
          GetResponse g = e.getGetResponse();
          VectorClock got = decode(g.getContext());
          if (floor != null && !covers(got, floor)) {
            return again(bucket, key, options, floor, deadline, first, round);
          }
          if (monotonicReads) {
            floors.raise(bucket, key, got);
          }
          return CompletableFuture.completedFuture(client.toResult(g, true));
        })
        .thenCompose(f -> f);
  }

  private CompletableFuture<GetResult> again(
      String bucket, byte[] key, RequestOptions options, VectorClock floor, long deadline, int first,
      int round) {
    client.metrics().sessionReread();
    int n = Math.max(1, client.replicationFactor(bucket));
    if (round + 1 < 2 * n) {
      return read(bucket, key, options, floor, deadline, first, round + 1);
    }
    // Every replica was asked, singly and together: wait for replication to catch up a little.
    long pauseMillis = Math.min(50, 1L << Math.min(6, round + 1 - 2 * n));
    return CompletableFuture.supplyAsync(
            () -> null, CompletableFuture.delayedExecutor(pauseMillis, TimeUnit.MILLISECONDS))
        .thenCompose(v -> read(bucket, key, options, floor, deadline, first, round + 1));
  }

  /** Whether a read's context shows it has seen every version in {@code floor}. */
  static boolean covers(VectorClock read, VectorClock floor) {
    Occurs o = read.compare(floor);
    return o == Occurs.AFTER || o == Occurs.EQUAL;
  }

  private static VectorClock decode(ByteString bytes) {
    if (bytes.isEmpty()) {
      return VectorClock.EMPTY;
    }
    try {
      return VersionCodec.decodeClock(bytes.toByteArray());
    } catch (MalformedVersionException e) {
      throw new DynamoException("INTERNAL", "a node answered a context that is not valid: " + e.getMessage());
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

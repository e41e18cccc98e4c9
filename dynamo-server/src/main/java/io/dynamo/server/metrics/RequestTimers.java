package io.dynamo.server.metrics;

import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.StatusCode;
import io.dynamo.server.transport.ClientRequestObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Times every client get, put and delete as the Timer {@value #NAME} with tags {@code op} ({@code
 * get}, {@code put}, {@code delete}), {@code bucket} and {@code outcome} ({@code ok}, or the error's
 * status code in lower case, e.g. {@code overloaded}): request rate, latency percentiles and errors
 * by code all come from it. Other client requests (status, operator requests) are not timed.
 *
 * <p>The hot path allocates nothing once warm: the bucket's timers are found in a map fixed at
 * start, and each (op, outcome) timer is created once and kept in an array slot. Bucket tags are
 * bounded: a bucket named in {@code tagged} (configured buckets) keeps its name, any other is
 * tagged {@value #UNKNOWN_BUCKET}, so clients cannot create meters by inventing bucket names.
 */
public final class RequestTimers implements ClientRequestObserver {
  public static final String NAME = "dynamo.requests";
  public static final String UNKNOWN_BUCKET = "unknown";
  /** Client-side percentiles, over the last minute or so (see {@link #EXPIRY}). */
  static final double[] PERCENTILES = {0.5, 0.99, 0.999};
  /** How long a recorded latency counts towards the percentiles and the max. */
  static final Duration EXPIRY = Duration.ofMinutes(1);
  /** Histogram range: local reads take well under a millisecond, timeouts take seconds. */
  private static final Duration MIN_EXPECTED = Duration.ofMillis(1).dividedBy(10);
  private static final Duration MAX_EXPECTED = Duration.ofSeconds(30);

  /** The timed operations, in the order of the per-bucket arrays. */
  private enum Op {
    GET,
    PUT,
    DELETE
  }

  private static final int OK = StatusCode.values().length;
  private static final String[] OUTCOMES = outcomes();

  private final MeterRegistry registry;
  private final Map<String, BucketTimers> buckets;
  private final BucketTimers unknown;

  public RequestTimers(MeterRegistry registry, Set<String> tagged) {
    this.registry = registry;
    Map<String, BucketTimers> byName = new HashMap<>();
    for (String bucket : tagged) {
      byName.put(bucket, new BucketTimers(bucket));
    }
    this.buckets = Map.copyOf(byName);
    this.unknown = new BucketTimers(UNKNOWN_BUCKET);
  }

  @Override
  public void answered(Envelope request, Envelope response, long nanos) {
    Op op;
    String bucket;
    switch (request.getBodyCase()) {
      case GET_REQUEST -> {
        op = Op.GET;
        bucket = request.getGetRequest().getBucket();
      }
      case PUT_REQUEST -> {
        op = Op.PUT;
        bucket = request.getPutRequest().getBucket();
      }
      case DELETE_REQUEST -> {
        op = Op.DELETE;
        bucket = request.getDeleteRequest().getBucket();
      }
      default -> {
        return;
      }
    }
    int outcome = response.hasError() ? response.getError().getCode().ordinal() : OK;
    timer(op, bucket, outcome).record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(Op op, String bucket, int outcome) {
    BucketTimers b = buckets.getOrDefault(bucket, unknown);
    int slot = op.ordinal() * OUTCOMES.length + outcome;
    Timer t = b.timers.get(slot);
    if (t == null) {
      // Two threads may race here; the registry hands both the same meter.
      t = register(op, b.name, OUTCOMES[outcome]);
      b.timers.set(slot, t);
    }
    return t;
  }

  private Timer register(Op op, String bucket, String outcome) {
    return Timer.builder(NAME)
        .description("client requests from decoding to answer, by operation, bucket and outcome")
        .tag("op", op.name().toLowerCase(Locale.ROOT))
        .tag("bucket", bucket)
        .tag("outcome", outcome)
        .publishPercentiles(PERCENTILES)
        .publishPercentileHistogram()
        .minimumExpectedValue(MIN_EXPECTED)
        .maximumExpectedValue(MAX_EXPECTED)
        .distributionStatisticExpiry(EXPIRY)
        .register(registry);
  }

  private static String[] outcomes() {
    StatusCode[] codes = StatusCode.values();
    String[] out = new String[codes.length + 1];
    for (StatusCode c : codes) {
      out[c.ordinal()] = c.name().toLowerCase(Locale.ROOT);
    }
    out[OK] = "ok";
    return out;
  }

  /** One bucket's timers: one slot per (operation, outcome), filled on first use. */
  private static final class BucketTimers {
    final String name;
    final AtomicReferenceArray<Timer> timers =
        new AtomicReferenceArray<>(Op.values().length * OUTCOMES.length);

    BucketTimers(String name) {
      this.name = name;
    }
  }
}

package io.dynamo.client.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The client's own figures, in the service's Micrometer registry: latency per operation and
 * outcome (percentile histograms, which Micrometer keeps in HdrHistogram), attempts beyond the
 * first, hedges, session re-reads, errors by code and cluster map loads. Meters are cached, and
 * their tags come from fixed sets (operations, status codes), so a client makes a bounded number.
 */
public final class ClientMetrics {
  /** An operation the client times. */
  public enum Op {
    GET, PUT, DELETE;

    final String tag = name().toLowerCase(Locale.ROOT);
  }

  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Counter[] retries = new Counter[Op.values().length];
  private final Counter hedgesSent;
  private final Counter hedgesWon;
  private final Counter sessionRereads;
  private final Counter mapLoads;
  private final Counter mapLoadFailures;

  public ClientMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Op op : Op.values()) {
      retries[op.ordinal()] =
          Counter.builder("dynamo.client.retries")
              .description("attempts sent to another node after the first one failed or timed out")
              .tag("op", op.tag)
              .register(registry);
    }
    this.hedgesSent = Counter.builder("dynamo.client.hedges").tag("result", "sent")
        .description("gets also sent to a second replica after the hedge delay").register(registry);
    this.hedgesWon = Counter.builder("dynamo.client.hedges").tag("result", "won")
        .description("hedged gets answered by the second replica first").register(registry);
    this.sessionRereads = Counter.builder("dynamo.client.session.rereads")
        .description("gets read again because the answer did not cover the session's versions")
        .register(registry);
    this.mapLoads = Counter.builder("dynamo.client.map.loads").tag("outcome", "ok")
        .description("cluster map loads").register(registry);
    this.mapLoadFailures = Counter.builder("dynamo.client.map.loads").tag("outcome", "failed")
        .description("cluster map loads").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One operation, from call to outcome; {@code outcome} is "ok" or an error code. */
  public void record(Op op, String outcome, long nanos) {
    String key = op.tag + '/' + outcome;
    Timer t = timers.get(key);
    if (t == null) {
      t = timers.computeIfAbsent(key, k -> Timer.builder("dynamo.client.requests")
          .description("client operations, from call to answer")
          .tag("op", op.tag)
          .tag("outcome", outcome)
          .publishPercentiles(0.5, 0.99, 0.999)
          .publishPercentileHistogram()
          .distributionStatisticExpiry(Duration.ofMinutes(1))
          .register(registry));
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
    if (!"ok".equals(outcome)) {
      errors.computeIfAbsent(key, k -> Counter.builder("dynamo.client.errors")
          .description("operations that failed, by error code")
          .tag("op", op.tag)
          .tag("code", outcome)
          .register(registry)).increment();
    }
  }

  public void retry(Op op) {
    retries[op.ordinal()].increment();
  }

  public void hedgeSent() {
    hedgesSent.increment();
  }

  public void hedgeWon() {
    hedgesWon.increment();
  }

  public void sessionReread() {
    sessionRereads.increment();
  }

  public void mapLoad(boolean ok) {
    (ok ? mapLoads : mapLoadFailures).increment();
  }
}

package io.dynamo.server.transport;

import io.dynamo.server.config.RequestLimits;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Node-wide accounting of admitted client requests: how many are in flight and how many bytes they
 * hold. A request is admitted only while both stay under their limits, so the work a node has
 * taken on (and the heap it holds) is bounded however fast clients send; the rest is refused at
 * once with {@code OVERLOADED}, which costs a decode and a small answer instead of a queue slot.
 * Thread-safe: connections on every I/O loop admit, answers on every shard release.
 */
public final class Admission {
  /** Why a request was refused. */
  public enum Refusal {
    NODE_REQUESTS("node has %d requests in flight, its limit"),
    NODE_BYTES("node holds %d bytes of requests in flight, its limit"),
    CONNECTION_REQUESTS("connection has %d requests in flight, its limit"),
    /** Admitted, but it waited on a busy shard past its deadline, so it was dropped undone. */
    EXPIRED("request waited past its deadline");

    private final String format;

    Refusal(String format) {
      this.format = format;
    }

    String describe(long limit) {
      return String.format(format, limit);
    }
  }

  private final RequestLimits limits;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong bytesInFlight = new AtomicLong();
  private final LongAdder[] refused = new LongAdder[Refusal.values().length];
  private final LongAdder admitted = new LongAdder();

  public Admission(RequestLimits limits) {
    this.limits = limits;
    for (int i = 0; i < refused.length; i++) {
      refused[i] = new LongAdder();
    }
  }

  public RequestLimits limits() {
    return limits;
  }

  /**
   * Takes a slot for a request of {@code bytes}, or returns why not (and counts the refusal).
   * The caller must {@link #release} exactly once for every null returned.
   */
  Refusal tryAdmit(int connectionInFlight, long bytes) {
    Refusal refusal = null;
    // The per-connection share is enforced only once the node is half full: a single busy client
    // on an idle node is not refused, but under pressure no connection holds more than its share.
    if (connectionInFlight >= limits.maxInFlightPerConnection()
        && inFlight.get() >= limits.maxInFlight() / 2) {
      refusal = Refusal.CONNECTION_REQUESTS;
    } else if (inFlight.incrementAndGet() > limits.maxInFlight()) {
      inFlight.decrementAndGet();
      refusal = Refusal.NODE_REQUESTS;
    } else if (bytesInFlight.addAndGet(bytes) > limits.maxBytesInFlight()) {
      bytesInFlight.addAndGet(-bytes);
      inFlight.decrementAndGet();
      refusal = Refusal.NODE_BYTES;
    }
    if (refusal != null) {
      refused[refusal.ordinal()].increment();
    } else {
      admitted.increment();
    }
    return refusal;
  }

  /** Counts an admitted request answered OVERLOADED because it waited past its deadline. */
  public void expired() {
    refused[Refusal.EXPIRED.ordinal()].increment();
  }

  /** Adds {@code bytes} (an answer on its way out) to what admitted requests hold; returns them. */
  long hold(long bytes) {
    bytesInFlight.addAndGet(bytes);
    return bytes;
  }

  void release(long bytes) {
    bytesInFlight.addAndGet(-bytes);
    inFlight.decrementAndGet();
  }

  String describe(Refusal refusal) {
    return switch (refusal) {
      case NODE_REQUESTS -> refusal.describe(limits.maxInFlight());
      case NODE_BYTES -> refusal.describe(limits.maxBytesInFlight());
      case CONNECTION_REQUESTS -> refusal.describe(limits.maxInFlightPerConnection());
      case EXPIRED -> refusal.describe(0);
    };
  }

  public int inFlight() {
    return inFlight.get();
  }

  public long bytesInFlight() {
    return bytesInFlight.get();
  }

  public long admitted() {
    return admitted.sum();
  }

  public long refused(Refusal refusal) {
    return refused[refusal.ordinal()].sum();
  }
}

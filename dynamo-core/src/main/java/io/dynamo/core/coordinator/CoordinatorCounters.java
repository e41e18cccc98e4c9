package io.dynamo.core.coordinator;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one shard's coordinator counts for metrics. Written on the shard's thread, read by metrics
 * scrapes on another, hence adders rather than plain fields. Exact, not sampled: the forwarded
 * count is how a partition-aware client shows that it reaches each key's replicas directly.
 */
public final class CoordinatorCounters {
  /** The client operations a coordinator counts. */
  public enum Op {
    GET,
    PUT,
    DELETE
  }

  private final LongAdder[] forwarded = new LongAdder[Op.values().length];
  private final LongAdder speculativeReads = new LongAdder();

  public CoordinatorCounters() {
    for (int i = 0; i < forwarded.length; i++) {
      forwarded[i] = new LongAdder();
    }
  }

  /**
   * Requests this shard did not send straight to the key's replicas: writes it handed to another
   * coordinator (once per write, however many coordinators the forward then tries), and gets it
   * coordinated although it is not among the key's targets (each of its reads crossed the
   * network). Zero for a client that sends every request to one of the key's home replicas.
   */
  public long forwarded(Op op) {
    return forwarded[op.ordinal()].sum();
  }

  void countForwarded(Op op) {
    forwarded[op.ordinal()].increment();
  }

  /**
   * Replicas gets read because the replicas they asked first had not answered in time
   * (speculative reads; see {@link io.dynamo.core.node.ReadPolicy}).
   */
  public long speculativeReads() {
    return speculativeReads.sum();
  }

  void countSpeculativeRead() {
    speculativeReads.increment();
  }
}

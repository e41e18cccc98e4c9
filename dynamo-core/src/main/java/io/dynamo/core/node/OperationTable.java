package io.dynamo.core.node;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.proto.v1.Envelope;
import java.util.HashMap;
import java.util.Map;

/**
 * The operations one protocol shard waits on, by id, with their deadlines. Ids name the shard
 * ({@code id % shards == shard}), so answers from peers find their way back to it. Deadlines are
 * kept in {@link Deadlines} with a single timer at the earliest one, instead of a timer per
 * operation.
 */
public final class OperationTable {
  private final int shard;
  private final int shards;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Map<Long, Operation> operations = new HashMap<>();
  private final Deadlines deadlines = new Deadlines();
  private final Deadlines reminders = new Deadlines();
  private Scheduler.Cancellable timer;
  private long nextSequence = 1;

  public OperationTable(int shard, int shards, Clock clock, Scheduler scheduler) {
    this.shard = shard;
    this.shards = shards;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /** Registers an operation with a deadline; returns the id its messages carry. */
  public long register(Operation op, long timeoutMillis) {
    long opId = nextSequence++ * shards + shard;
    operations.put(opId, op);
    long now = clock.monotonicMillis();
    // The timer always stands at the earliest queued deadline; only an earlier one moves it.
    if (deadlines.add(opId, timeoutMillis, now)) {
      arm(now);
    }
    return opId;
  }

  /**
   * Calls the pending operation's {@link Operation#onReminder()} after {@code delayMillis}: for
   * a step it takes only when its answers are slow, such as a speculative read. Kept like the
   * deadlines, one FIFO queue per delay, so delays should come from a few distinct values.
   */
  public void remind(long opId, long delayMillis) {
    long now = clock.monotonicMillis();
    long before = earliest();
    reminders.add(opId, delayMillis, now);
    if (reminders.earliest() < before) {
      arm(now);
    }
  }

  public boolean isPending(long opId) {
    return operations.containsKey(opId);
  }

  /** Hands a peer's answer to its operation; forgets the operation once it says it is done. */
  public void deliver(NodeId from, long opId, Envelope message) {
    Operation op = operations.get(opId);
    if (op != null && op.onMessage(from, message)) {
      operations.remove(opId);
    }
  }

  /** Forgets an operation that finished by other means than an answer (its deadline stays queued). */
  public void finish(long opId) {
    operations.remove(opId);
  }

  public int size() {
    return operations.size();
  }

  private void arm(long now) {
    if (timer != null) {
      timer.cancel();
    }
    timer = scheduler.schedule(Math.max(0, earliest() - now), this::onDeadline);
  }

  private long earliest() {
    return Math.min(deadlines.earliest(), reminders.earliest());
  }

  private void onDeadline() {
    timer = null;
    long now = clock.monotonicMillis();
    reminders.expire(
        now,
        opId -> {
          Operation op = operations.get(opId);
          if (op != null && op.onReminder()) {
            operations.remove(opId);
          }
        });
    deadlines.expire(
        now,
        opId -> {
          Operation op = operations.remove(opId);
          if (op != null) {
            op.onTimeout();
          }
        });
    if (timer == null && earliest() != Long.MAX_VALUE) {
      arm(now);
    }
  }
}

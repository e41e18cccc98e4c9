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
  /** The earliest queued reminder, or Long.MAX_VALUE: checked on every message, so kept at hand. */
  private long nextReminder = Long.MAX_VALUE;
  private Scheduler.Cancellable reminderTimer;
  private long reminderTimerAt;
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
    remindDue(now);
    // The timer always stands at the earliest queued deadline; only an earlier one moves it.
    if (deadlines.add(opId, timeoutMillis, now)) {
      arm(now);
    }
    return opId;
  }

  /**
   * Calls the pending operation's {@link Operation#onReminder()} after about {@code delayMillis}:
   * for a step it takes only when its answers are slow, such as a speculative read. Reminders are
   * kept like the deadlines, one FIFO queue per delay (so delays should come from a few distinct
   * values), and come due as the shard's traffic passes ({@link #register}, {@link #deliver}): a
   * timer per reminder would wake the loop about once per request. A coarse timer, on {@value
   * #REMINDER_TICK_MILLIS} ms ticks, covers a quiet shard.
   */
  public void remind(long opId, long delayMillis) {
    long now = clock.monotonicMillis();
    reminders.add(opId, delayMillis, now);
    nextReminder = reminders.earliest();
    if (reminderTimer == null || tickAfter(nextReminder) < reminderTimerAt) {
      if (reminderTimer != null) {
        reminderTimer.cancel();
      }
      armReminders(now);
    }
  }

  /** How coarse the timer for reminders is on a shard without traffic. */
  static final long REMINDER_TICK_MILLIS = 10;

  private void armReminders(long now) {
    reminderTimerAt = tickAfter(nextReminder);
    reminderTimer = scheduler.schedule(Math.max(0, reminderTimerAt - now), this::onReminderTick);
  }

  private static long tickAfter(long time) {
    return (time / REMINDER_TICK_MILLIS + 1) * REMINDER_TICK_MILLIS;
  }

  private void onReminderTick() {
    reminderTimer = null;
    long now = clock.monotonicMillis();
    remindDue(now);
    if (nextReminder != Long.MAX_VALUE) {
      armReminders(now);
    }
  }

  private void remindDue(long now) {
    if (nextReminder > now) {
      return;
    }
    reminders.expire(
        now,
        opId -> {
          Operation op = operations.get(opId);
          if (op != null && op.onReminder()) {
            operations.remove(opId);
          }
        });
    nextReminder = reminders.earliest();
  }

  public boolean isPending(long opId) {
    return operations.containsKey(opId);
  }

  /** Hands a peer's answer to its operation; forgets the operation once it says it is done. */
  public void deliver(NodeId from, long opId, Envelope message) {
    if (nextReminder != Long.MAX_VALUE) {
      remindDue(clock.monotonicMillis());
    }
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
    timer = scheduler.schedule(Math.max(0, deadlines.earliest() - now), this::onDeadline);
  }

  private void onDeadline() {
    timer = null;
    long now = clock.monotonicMillis();
    deadlines.expire(
        now,
        opId -> {
          Operation op = operations.remove(opId);
          if (op != null) {
            op.onTimeout();
          }
        });
    if (timer == null && deadlines.earliest() != Long.MAX_VALUE) {
      arm(now);
    }
  }
}

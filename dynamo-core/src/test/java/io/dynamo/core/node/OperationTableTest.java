package io.dynamo.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.proto.v1.Envelope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperationTableTest {
  private long now;
  /** The one timer the table keeps: its due time and task, or null. */
  private long timerDue;
  private Runnable timerTask;
  private final Scheduler scheduler =
      (delay, task) -> {
        long due = now + delay;
        timerDue = due;
        timerTask = task;
        return () -> {
          if (timerTask == task && timerDue == due) {
            timerTask = null;
          }
        };
      };
  private final OperationTable table = new OperationTable(0, 1, () -> now, scheduler);
  private final List<String> events = new ArrayList<>();

  private final class Recording implements Operation {
    private final String name;
    private final boolean doneOnReminder;

    Recording(String name, boolean doneOnReminder) {
      this.name = name;
      this.doneOnReminder = doneOnReminder;
    }

    @Override
    public boolean onMessage(NodeId from, Envelope message) {
      events.add(name + " message");
      return true;
    }

    @Override
    public boolean onReminder() {
      events.add(name + " reminder at " + now);
      return doneOnReminder;
    }

    @Override
    public void onTimeout() {
      events.add(name + " timeout at " + now);
    }
  }

  private void advanceTo(long time) {
    while (timerTask != null && timerDue <= time) {
      now = timerDue;
      Runnable task = timerTask;
      timerTask = null;
      task.run();
    }
    now = time;
  }

  @Test
  void aReminderComesBeforeTheDeadlineAndLeavesTheOperationPending() {
    long id = table.register(new Recording("get", false), 1_000);
    table.remind(id, 5);
    assertThat(timerDue).as("the timer moves to the earlier reminder").isEqualTo(5);
    advanceTo(5);
    assertThat(events).containsExactly("get reminder at 5");
    assertThat(table.isPending(id)).isTrue();
    advanceTo(1_000);
    assertThat(events).containsExactly("get reminder at 5", "get timeout at 1000");
    assertThat(table.isPending(id)).isFalse();
  }

  @Test
  void anOperationThatFinishedIsNotReminded() {
    long id = table.register(new Recording("get", false), 1_000);
    table.remind(id, 5);
    table.deliver(NodeId.of("b"), id, Envelope.getDefaultInstance());
    advanceTo(1_000);
    assertThat(events).containsExactly("get message");
  }

  @Test
  void anOperationMayFinishOnItsReminder() {
    long id = table.register(new Recording("get", true), 1_000);
    table.remind(id, 5);
    advanceTo(1_000);
    assertThat(events).containsExactly("get reminder at 5");
    assertThat(table.size()).isZero();
  }

  @Test
  void remindersOfDifferentDelaysComeInTheirOrder() {
    long slow = table.register(new Recording("slow", false), 1_000);
    table.remind(slow, 30);
    now = 10;
    long fast = table.register(new Recording("fast", false), 1_000);
    table.remind(fast, 2);
    assertThat(timerDue).isEqualTo(12);
    advanceTo(40);
    assertThat(events).containsExactly("fast reminder at 12", "slow reminder at 30");
  }
}

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
  private record Timer(long due, Runnable task, boolean[] cancelled) {}
  private final List<Timer> timers = new ArrayList<>();
  private final Scheduler scheduler =
      (delay, task) -> {
        Timer t = new Timer(now + delay, task, new boolean[1]);
        timers.add(t);
        return () -> t.cancelled()[0] = true;
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

  /** Runs the timers due up to {@code time} in order of their due times. */
  private void advanceTo(long time) {
    while (true) {
      Timer next = null;
      for (Timer t : timers) {
        if (!t.cancelled()[0] && t.due() <= time && (next == null || t.due() < next.due())) {
          next = t;
        }
      }
      if (next == null) {
        break;
      }
      timers.remove(next);
      now = next.due();
      next.task().run();
    }
    now = time;
  }

  @Test
  void aQuietShardsReminderComesOnTheNextTickAndLeavesTheOperationPending() {
    long id = table.register(new Recording("get", false), 1_000);
    table.remind(id, 5);
    advanceTo(9);
    assertThat(events).as("no traffic: the coarse timer's tick").isEmpty();
    advanceTo(OperationTable.REMINDER_TICK_MILLIS);
    assertThat(events).containsExactly("get reminder at 10");
    assertThat(table.isPending(id)).isTrue();
    advanceTo(1_000);
    assertThat(events).containsExactly("get reminder at 10", "get timeout at 1000");
    assertThat(table.isPending(id)).isFalse();
  }

  @Test
  void trafficDeliversDueRemindersBeforeTheTick() {
    long id = table.register(new Recording("get", false), 1_000);
    table.remind(id, 2);
    long other = table.register(new Recording("other", false), 1_000);
    now = 1;
    table.deliver(NodeId.of("b"), other, Envelope.getDefaultInstance());
    assertThat(events).containsExactly("other message");
    now = 3;
    table.register(new Recording("third", false), 1_000);
    assertThat(events).containsExactly("other message", "get reminder at 3");
    advanceTo(20);
    assertThat(events).as("reminded once").containsExactly("other message", "get reminder at 3");
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
    assertThat(events).containsExactly("get reminder at 10");
    assertThat(table.size()).isZero();
  }

  @Test
  void remindersOfDifferentDelaysComeInTheirOrder() {
    long slow = table.register(new Recording("slow", false), 1_000);
    table.remind(slow, 30);
    now = 10;
    long fast = table.register(new Recording("fast", false), 1_000);
    table.remind(fast, 2);
    now = 12;
    table.register(new Recording("traffic", false), 1_000);
    assertThat(events).containsExactly("fast reminder at 12");
    advanceTo(40);
    assertThat(events).containsExactly("fast reminder at 12", "slow reminder at 40");
  }
}

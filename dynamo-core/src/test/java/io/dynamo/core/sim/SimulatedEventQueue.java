package io.dynamo.core.sim;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * The one event queue of a simulation: events run in (time, sequence number) order on the test's
 * thread, so the whole cluster is single-threaded and a seed replays exactly. Time only advances
 * when the next event is later than now; there is no wall clock.
 */
public final class SimulatedEventQueue {
  /** A scheduled event that may still be called off. */
  public interface Handle {
    void cancel();
  }

  private static final class Event implements Handle {
    final long time;
    final long sequence;
    final String label;
    final Runnable task;
    boolean cancelled;

    Event(long time, long sequence, String label, Runnable task) {
      this.time = time;
      this.sequence = sequence;
      this.label = label;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  private final PriorityQueue<Event> events =
      new PriorityQueue<>(
          Comparator.<Event>comparingLong(e -> e.time).thenComparingLong(e -> e.sequence));
  private final SimulatedTrace trace;
  private final long maxEvents;
  private long now;
  private long nextSequence;
  private long executed;

  /**
   * @param maxEvents a run that executes more events than this fails, so a livelock shows up as a
   *     failure with a seed rather than a hung build
   */
  public SimulatedEventQueue(SimulatedTrace trace, long maxEvents) {
    this.trace = trace;
    this.maxEvents = maxEvents;
  }

  /** Simulated milliseconds since the simulation started. */
  public long now() {
    return now;
  }

  public SimulatedTrace trace() {
    return trace;
  }

  public long executed() {
    return executed;
  }

  /** Runs {@code task} {@code delayMillis} from now, after every event already due by then. */
  public Handle schedule(long delayMillis, String label, Runnable task) {
    if (delayMillis < 0) {
      throw new IllegalArgumentException("negative delay " + delayMillis + " for " + label);
    }
    Event e = new Event(now + delayMillis, nextSequence++, label, task);
    events.add(e);
    return e;
  }

  /** Runs the next live event; returns false when none is left. */
  public boolean step() {
    Event e;
    do {
      e = events.poll();
      if (e == null) {
        return false;
      }
    } while (e.cancelled);
    now = e.time;
    if (++executed > maxEvents) {
      throw new IllegalStateException(
          "more than " + maxEvents + " events executed (livelock?); last: " + e.label + " at " + now);
    }
    trace.record(e.time, e.sequence, e.label);
    e.task.run();
    return true;
  }

  /** Runs events until none is left. */
  public void runUntilIdle() {
    while (step()) {
      // keep going
    }
  }

  /** Runs events until {@code condition} holds; returns false if the queue ran dry first. */
  public boolean runUntil(BooleanSupplier condition) {
    while (!condition.getAsBoolean()) {
      if (!step()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs every event due at or before {@code time}, then sets the clock to {@code time}. For
   * clusters whose periodic timers (heartbeats, handoff) never let the queue go idle.
   */
  public void runUntilTime(long time) {
    while (true) {
      Event next = events.peek();
      while (next != null && next.cancelled) {
        events.poll();
        next = events.peek();
      }
      if (next == null || next.time > time) {
        break;
      }
      step();
    }
    if (time > now) {
      now = time;
    }
  }

  /**
   * Runs events until {@code condition} holds or the clock would pass {@code deadline}; returns
   * whether the condition held. The condition is checked before every event, so keep it cheap.
   */
  public boolean runUntil(BooleanSupplier condition, long deadline) {
    while (!condition.getAsBoolean()) {
      Event next = events.peek();
      while (next != null && next.cancelled) {
        events.poll();
        next = events.peek();
      }
      if (next == null || next.time > deadline) {
        if (deadline > now) {
          now = deadline;
        }
        return condition.getAsBoolean();
      }
      step();
    }
    return true;
  }

  /** Live and cancelled events still queued. */
  public int queued() {
    return events.size();
  }
}

package io.dynamo.core.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Deadlines of a shard's operations, without a timer per operation: operations registered with the
 * same timeout expire in registration order, so each timeout length keeps a FIFO queue and only
 * the earliest deadline of all needs a timer. An operation that finished early stays queued until
 * its deadline and is then skipped by its owner.
 */
final class Deadlines {
  private record Entry(long opId, long deadline) {}

  private final Map<Long, ArrayDeque<Entry>> queues = new HashMap<>();

  /** Adds an operation; returns true when its deadline is now the earliest queued. */
  boolean add(long opId, long timeoutMillis, long nowMillis) {
    long deadline = nowMillis + timeoutMillis;
    long before = earliest();
    queues.computeIfAbsent(timeoutMillis, t -> new ArrayDeque<>()).addLast(new Entry(opId, deadline));
    return deadline < before;
  }

  /** The earliest queued deadline, or Long.MAX_VALUE when none is. */
  long earliest() {
    long min = Long.MAX_VALUE;
    for (ArrayDeque<Entry> q : queues.values()) {
      Entry head = q.peekFirst();
      if (head != null && head.deadline() < min) {
        min = head.deadline();
      }
    }
    return min;
  }

  /** Removes every operation whose deadline is at or before {@code nowMillis}, handing each on. */
  void expire(long nowMillis, LongConsumer expired) {
    // Collected first: expiring may register new operations, which must not disturb the walk.
    List<Long> due = new ArrayList<>();
    for (Iterator<ArrayDeque<Entry>> it = queues.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Entry> q = it.next();
      Entry head;
      while ((head = q.peekFirst()) != null && head.deadline() <= nowMillis) {
        q.pollFirst();
        due.add(head.opId());
      }
      if (q.isEmpty()) {
        // Delays that vary over time (speculative reads) would otherwise leave a queue each.
        it.remove();
      }
    }
    for (long opId : due) {
      expired.accept(opId);
    }
  }

  int size() {
    int n = 0;
    for (ArrayDeque<Entry> q : queues.values()) {
      n += q.size();
    }
    return n;
  }
}

package io.dynamo.core.version;

import io.dynamo.core.log.Untrusted;
import io.dynamo.core.ring.NodeId;

/**
 * The ranges a client's context must lie in. A context is untrusted input that feeds dot counters:
 * a write's new dot must be above every counter of its coordinator that the context carries, and
 * the context is stored inside the new version, where every other coordinator of the key later
 * reads it as a floor for its own counter. Unchecked, one forged context could push a node's
 * counter to {@link Long#MAX_VALUE} and leave the node unable to create a dot again (a context
 * with {@code 2^63-2} once did exactly that).
 *
 * <p>What each entry may claim, checked by the coordinator against its copy of the key:
 *
 * <ul>
 *   <li>For the coordinator itself: no more than the highest counter it has issued, or that its
 *       copy of the key carries. Its counter is durable and only grows, so a context read from
 *       any replica satisfies this; a higher claim names an event that never happened.
 *   <li>For another node, which the coordinator cannot ask: no more than {@link
 *       #MAX_UNSEEN_COUNTER}, or than the coordinator's copy of the key shows for that node. A
 *       node's counter therefore moves past 2^62 only by its own writes, one at a time, and keeps
 *       more than 2^62 counters (146 years at a billion writes a second) whatever clients send.
 * </ul>
 *
 * Timestamps are bounded too, to the year 9999, so that no arithmetic on them can overflow.
 */
public final class ContextLimits {
  /** The highest counter a context may name for a node the coordinator has no higher one of. */
  public static final long MAX_UNSEEN_COUNTER = 1L << 62;

  /** The largest timestamp a context entry may carry: the last millisecond of the year 9999. */
  public static final long MAX_TIMESTAMP_MILLIS = 253_402_300_799_999L;

  private ContextLimits() {}

  /**
   * The checks that need nothing but the context, done when it is decoded.
   *
   * @throws InvalidContextException naming the first entry out of range
   */
  public static VectorClock check(VectorClock context) {
    for (Dot d : context.entries()) {
      if (d.timestampMillis() > MAX_TIMESTAMP_MILLIS) {
        throw new InvalidContextException(
            "timestamp " + d.timestampMillis() + " for node '" + Untrusted.escape(d.node().value())
                + "' exceeds the limit of " + MAX_TIMESTAMP_MILLIS);
      }
    }
    return context;
  }

  /**
   * Checks every counter of a context against what the coordinator {@code self} knows: the highest
   * counter it has issued, and its stored versions of the key.
   *
   * @throws InvalidContextException naming the first entry that claims too much
   */
  public static void checkCounters(
      VectorClock context, NodeId self, long issuedBySelf, SiblingSet stored) {
    for (Dot d : context.entries()) {
      long known = stored.highestCounter(d.node());
      if (d.node().equals(self)) {
        long limit = Math.max(issuedBySelf, known);
        if (d.counter() > limit) {
          throw new InvalidContextException(
              "it claims event " + d.counter() + " of this node, which has issued only up to "
                  + limit);
        }
      } else if (d.counter() > Math.max(MAX_UNSEEN_COUNTER, known)) {
        throw new InvalidContextException(
            "counter " + d.counter() + " for node '" + Untrusted.escape(d.node().value())
                + "' exceeds the limit of " + Math.max(MAX_UNSEEN_COUNTER, known));
      }
    }
  }
}

package io.dynamo.core.version;

import io.dynamo.core.log.Untrusted;
import io.dynamo.core.ring.NodeId;

/**
 * The ranges a client's context must lie in. A context is untrusted input that feeds the node's
 * dot counter (a write's new dot must be above every counter of the coordinator the context
 * carries) and is stored inside the new version, where every other coordinator of the key later
 * reads it as a floor for its own counter. Without bounds one forged context can push a node's
 * counter to {@link Long#MAX_VALUE} and leave it unable to create any dot again.
 *
 * <p>The bounds leave every counter far from overflow: a counter a client can name is at most
 * {@link #MAX_COUNTER} (2^62), and a node issuing a billion dots a second from there would need
 * 146 years to reach {@link Long#MAX_VALUE}.
 */
public final class ContextLimits {
  /** The largest counter a context may carry, for any node. */
  public static final long MAX_COUNTER = 1L << 62;

  /** The largest timestamp a context entry may carry: the last millisecond of the year 9999. */
  public static final long MAX_TIMESTAMP_MILLIS = 253_402_300_799_999L;

  private ContextLimits() {}

  /**
   * Checks a decoded client context against the bounds every node applies.
   *
   * @throws InvalidContextException naming the first entry out of range
   */
  public static VectorClock check(VectorClock context) {
    for (Dot d : context.entries()) {
      if (d.counter() > MAX_COUNTER) {
        throw new InvalidContextException(
            "counter " + d.counter() + " for node '" + Untrusted.escape(d.node().value())
                + "' exceeds the limit of " + MAX_COUNTER);
      }
      if (d.timestampMillis() > MAX_TIMESTAMP_MILLIS) {
        throw new InvalidContextException(
            "timestamp " + d.timestampMillis() + " exceeds the limit of " + MAX_TIMESTAMP_MILLIS);
      }
    }
    return context;
  }

  /**
   * Checks the context's counter for the coordinating node {@code self}: it names one of that node's
   * own events, so it cannot be above the highest counter the node has issued, or seen for this key
   * in versions replicated to it ({@code highestKnown}). A higher one was forged or corrupted; taken
   * as a floor it would make the new version claim to have seen writes this node has not made yet
   * and silently supersede them when they happen.
   *
   * @throws InvalidContextException when the context claims an event {@code self} never issued
   */
  public static void checkOwnCounter(VectorClock context, NodeId self, long highestKnown) {
    long claimed = context.counter(self);
    if (claimed > highestKnown) {
      throw new InvalidContextException(
          "it claims event " + claimed + " of this node, which has issued only up to " + highestKnown);
    }
  }
}

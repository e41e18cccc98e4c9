package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.GetResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Checks a history against what strict quorums (R + W > N) promise, assuming every put writes a
 * value no other put writes:
 *
 * <ol>
 *   <li><b>No lost write.</b> A successful get that started after a put was acknowledged returns
 *       that put's value, unless the put was superseded: some write whose request context covers
 *       the put's dot (the event its acknowledgement context added to the request's context) was
 *       invoked before the get completed. Failed and unanswered writes count as superseders too: a
 *       write reported failed may still have been applied on some replica. (The get's own context
 *       need not cover the dot: a context can claim a coordinator's earlier events without their
 *       causal past, see the report on acknowledgement contexts.)
 *   <li><b>No invented value.</b> Every value a get returns was written by a put invoked before the
 *       get completed; a get marked deleted returns no values.
 *   <li><b>Well-formed acknowledgements.</b> A put's acknowledged context is its request context
 *       plus exactly one new event (for a put with a write id, one per copy its attempts made), and
 *       no two acknowledged puts of a key share that event (dot).
 * </ol>
 *
 * Attempts at one logical write (a client's retries: same client, key, value and write id) may
 * repeat a value; {@link DuplicateWritesChecker} checks that they never leave it twice.
 */
public final class AcknowledgedWritesChecker {
  private AcknowledgedWritesChecker() {}

  /** An acknowledged put: its value, the event that created it, when it was acknowledged. */
  public record Acked(SimulatedHistory.Op op, ByteString value, Dot dot) {}

  /** Violations found, each a self-contained description; empty if the history is fine. */
  public static List<String> check(SimulatedHistory history) {
    return check(history, get -> true);
  }

  /**
   * As {@link #check(SimulatedHistory)}, but the lost-write rule applies only to the gets {@code
   * lostWriteGets} selects: under a sloppy quorum (nodes down or partitioned) a get may miss an
   * acknowledged write until handoff and repair have run, so failure-path tests apply it to the
   * reads after healing.
   */
  public static List<String> check(
      SimulatedHistory history, Predicate<SimulatedHistory.Op> lostWriteGets) {
    List<String> violations = new ArrayList<>();
    Map<SimulatedHistory.Key, List<SimulatedHistory.Op>> writes = new HashMap<>();
    Map<SimulatedHistory.Key, List<Acked>> acked = new HashMap<>();
    Map<ByteString, SimulatedHistory.Op> putsByValue = new HashMap<>();
    Map<SimulatedHistory.Key, Map<String, Acked>> ackedByDot = new HashMap<>();
    for (SimulatedHistory.Op op : history.ops()) {
      if (!op.isWrite()) {
        continue;
      }
      writes.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      if (op.isPut()) {
        ByteString value = op.request().getPutRequest().getValue();
        SimulatedHistory.Op earlier = putsByValue.putIfAbsent(value, op);
        if (earlier != null && !sameWrite(earlier, op)) {
          throw new IllegalArgumentException(
              "the checker needs unique values; " + value.toStringUtf8() + " was put twice");
        }
        if (op.succeeded()) {
          Dot dot = createdDot(op, violations);
          if (dot != null) {
            Acked a = new Acked(op, value, dot);
            acked.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(a);
            Acked same =
                ackedByDot.computeIfAbsent(op.key(), k -> new HashMap<>()).put(show(dot), a);
            if (same != null && !sameWrite(same.op(), op)) {
              violations.add(
                  "dot " + show(dot) + " names two different versions of one key; replicas holding"
                      + " one will ignore the other\n    first:  " + same.op() + "\n    second: " + op);
            }
          }
        }
      }
    }

    // For each acknowledged put, the first-invoked other write whose context covers its dot.
    Map<Acked, SimulatedHistory.Op> firstCover = new HashMap<>();
    for (Map.Entry<SimulatedHistory.Key, List<Acked>> e : acked.entrySet()) {
      for (SimulatedHistory.Op w : writes.get(e.getKey())) {
        VectorClock context;
        try {
          context = VersionCodec.decodeClock(w.writeContext().toByteArray());
        } catch (MalformedVersionException ex) {
          continue;
        }
        for (Acked a : e.getValue()) {
          if (w != a.op() && context.covers(a.dot())) {
            firstCover.putIfAbsent(a, w); // writes are in invocation order
          }
        }
      }
    }

    for (SimulatedHistory.Op get : history.ops()) {
      if (!get.isGet() || !get.succeeded()) {
        continue;
      }
      GetResponse response = get.response().getGetResponse();
      List<ByteString> values = response.getValuesList();
      VectorClock getContext = decode(response.getContext(), get, "get context", violations);
      if (getContext == null) {
        continue;
      }
      if (response.getDeleted() && !values.isEmpty()) {
        violations.add("get marked deleted returned values: " + get);
      }
      for (ByteString value : values) {
        SimulatedHistory.Op put = putsByValue.get(value);
        if (put == null || !put.key().equals(get.key())
            || put.invokedStep() > get.completedStep()) {
          violations.add(
              "get returned value '" + value.toStringUtf8() + "' that no put of that key wrote before it: "
                  + get);
        }
      }
      for (Acked a : acked.getOrDefault(get.key(), List.of())) {
        if (!a.op().precedes(get) || !lostWriteGets.test(get)) {
          continue; // not acknowledged before the get started: no promise either way
        }
        if (!values.contains(a.value())) {
          SimulatedHistory.Op superseder = firstCover.get(a);
          if (superseder == null || superseder.invokedStep() > get.completedStep()) {
            violations.add(
                "lost write: get started after put of '" + a.value().toStringUtf8() + "' (dot "
                    + show(a.dot()) + ") was acknowledged, but returned neither it nor a version"
                    + " superseding it\n    get: " + get
                    + "\n    put: " + a.op());
          }
        }
      }
    }
    return violations;
  }

  /**
   * Every acknowledged put whose created event is known, in invocation order. Malformed
   * acknowledgements are left out ({@link #check} reports them).
   */
  public static List<Acked> acknowledgedPuts(SimulatedHistory history) {
    List<String> ignored = new ArrayList<>();
    List<Acked> out = new ArrayList<>();
    for (SimulatedHistory.Op op : history.ops()) {
      if (op.isPut() && op.succeeded()) {
        Dot dot = createdDot(op, ignored);
        if (dot != null) {
          out.add(new Acked(op, op.request().getPutRequest().getValue(), dot));
        }
      }
    }
    return out;
  }

  /**
   * The event an acknowledged put created. When the acknowledgement carries a context, it must be
   * the request context plus exactly that event. An empty one is allowed only for a write left
   * beside siblings (a context would also cover a sibling the writer never saw); then the dot comes
   * from the simulator's look into storage.
   */
  private static Dot createdDot(SimulatedHistory.Op put, List<String> violations) {
    io.dynamo.proto.v1.PutResponse response = put.response().getPutResponse();
    if (response.getContext().isEmpty()) {
      if (!response.getSiblings()) {
        violations.add("put acknowledged without a context but without siblings either: " + put);
      }
      return put.createdDot();
    }
    VectorClock sent = decode(put.writeContext(), put, "put request context", violations);
    VectorClock returned = decode(response.getContext(), put, "put response context", violations);
    if (sent == null || returned == null) {
      return null;
    }
    List<Dot> added = new ArrayList<>();
    for (Dot d : returned.entries()) {
      if (d.counter() > sent.counter(d.node())) {
        added.add(d);
      }
    }
    boolean keepsSent = sent.entries().stream().allMatch(returned::covers);
    // A write with a write id may have been made by several attempts, each an event of its own:
    // the context then covers every copy it knows of.
    int maxAdded = put.writeId().isEmpty() ? 1 : Integer.MAX_VALUE;
    if (added.isEmpty() || added.size() > maxAdded || !keepsSent) {
      violations.add(
          "put acknowledged with context " + returned + ", which is not its request context "
              + sent + " plus one event: " + put);
      return null;
    }
    // The version holding the value must be one of the events the acknowledgement names. For a
    // write with a write id it may also be another copy alone: copies made by attempts the
    // acknowledging coordinator never heard of, left when a writer that read only the
    // acknowledged copy superseded it (the late copy of docs/decisions/0006-write-ids.md).
    Dot seen = put.createdDot();
    if (seen != null
        && put.writeId().isEmpty()
        && put.createdDots().stream().noneMatch(d -> added.stream().anyMatch(d::sameEvent))) {
      violations.add(
          "put acknowledged with context " + returned + " but stored as " + show(seen) + ": " + put);
    }
    return added.get(0);
  }

  private static VectorClock decode(
      ByteString bytes, SimulatedHistory.Op op, String what, List<String> violations) {
    try {
      return VersionCodec.decodeClock(bytes.toByteArray());
    } catch (MalformedVersionException e) {
      violations.add(what + " does not decode (" + e.getMessage() + "): " + op);
      return null;
    }
  }

  /**
   * Whether two puts are attempts at one logical write: a client retrying it sends the same value
   * to the same key (with the same write id, when it has one).
   */
  static boolean sameWrite(SimulatedHistory.Op a, SimulatedHistory.Op b) {
    return a.client().equals(b.client())
        && a.key().equals(b.key())
        && a.writeId().equals(b.writeId())
        && a.request().getPutRequest().getValue().equals(b.request().getPutRequest().getValue());
  }

  private static String show(Dot dot) {
    return dot.node() + ":" + dot.counter();
  }
}

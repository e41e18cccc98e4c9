package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Checks that deleted values stay deleted: a get that {@code gets} selects must not return the
 * value of a put whose event an acknowledged delete's request context covered, if that delete was
 * acknowledged before the get was invoked. Such a value was made obsolete by the delete on every
 * replica the delete reached; seeing it again means the delete was lost or its tombstone was
 * purged while an older version survived somewhere.
 */
final class ResurrectionChecker {
  private ResurrectionChecker() {}

  static List<String> check(SimulatedHistory history, Predicate<SimulatedHistory.Op> gets) {
    Map<ByteString, AcknowledgedWritesChecker.Acked> putsByValue = new HashMap<>();
    for (AcknowledgedWritesChecker.Acked a : AcknowledgedWritesChecker.acknowledgedPuts(history)) {
      putsByValue.put(a.value(), a);
    }
    Map<SimulatedHistory.Key, List<SimulatedHistory.Op>> deletes = new HashMap<>();
    for (SimulatedHistory.Op op : history.ops()) {
      if (op.isDelete() && op.succeeded()) {
        deletes.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    List<String> violations = new ArrayList<>();
    for (SimulatedHistory.Op get : history.ops()) {
      if (!get.isGet() || !get.succeeded() || !gets.test(get)) {
        continue;
      }
      for (ByteString value : get.response().getGetResponse().getValuesList()) {
        AcknowledgedWritesChecker.Acked put = putsByValue.get(value);
        if (put == null) {
          continue;
        }
        for (SimulatedHistory.Op delete : deletes.getOrDefault(get.key(), List.of())) {
          if (!delete.precedes(get)) {
            continue;
          }
          VectorClock context;
          try {
            context = VersionCodec.decodeClock(delete.writeContext().toByteArray());
          } catch (MalformedVersionException e) {
            continue;
          }
          if (context.covers(put.dot())) {
            violations.add("deleted value '" + value.toStringUtf8() + "' of " + get.key()
                + " came back: " + get + "\n    deleted by: " + delete + "\n    put: " + put.op());
            break;
          }
        }
      }
    }
    return violations;
  }
}

package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.Versioned;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that no write is ever present twice: a retried write (or any write) must never stand as a
 * sibling of itself. With every put writing a value unique to its logical write (its attempts
 * repeat it), a duplicate shows as one value twice among a key's siblings:
 *
 * <ol>
 *   <li>in the values a successful get returned;
 *   <li>in the live versions a node stores for a key, on every node at the end of the run.
 * </ol>
 */
final class DuplicateWritesChecker {
  private DuplicateWritesChecker() {}

  static List<String> check(SimulatedCluster cluster) {
    List<String> violations = new ArrayList<>();
    Set<SimulatedHistory.Key> keys = new LinkedHashSet<>();
    for (SimulatedHistory.Op op : cluster.history().ops()) {
      if (op.isGet() || op.isWrite()) {
        keys.add(op.key());
      }
      if (!op.isGet() || !op.succeeded()) {
        continue;
      }
      Set<ByteString> seen = new HashSet<>();
      for (ByteString value : op.response().getGetResponse().getValuesList()) {
        if (!seen.add(value)) {
          violations.add(
              "duplicate: get returned '" + value.toStringUtf8() + "' twice, as siblings of itself: "
                  + op);
        }
      }
    }
    for (SimulatedHistory.Key key : keys) {
      byte[] raw = key.key().toByteArray();
      DataKey dataKey = new DataKey(cluster.ring().partitionOf(key.bucket(), raw), key.bucket(), raw);
      for (NodeId id : cluster.nodeIds()) {
        SiblingSet stored = FailureScenarios.storedOn(cluster, id, dataKey);
        Set<ByteString> seen = new HashSet<>();
        for (Versioned v : stored.versions()) {
          if (!v.tombstone() && !seen.add(ByteString.copyFrom(v.value()))) {
            violations.add(
                "duplicate: " + id + " stores '" + new String(v.value(), java.nio.charset.StandardCharsets.UTF_8)
                    + "' twice for " + key + ": " + stored.versions());
          }
        }
      }
    }
    return violations;
  }
}

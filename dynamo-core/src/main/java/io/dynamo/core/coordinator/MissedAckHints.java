package io.dynamo.core.coordinator;

import io.dynamo.core.quorum.ReplicaPlan;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.ConflictMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a durable hint of a written record for each target that did not acknowledge it: for a
 * substitute, the hint is for the home replica it stood in for, which is where the data belongs.
 */
final class MissedAckHints {
  private static final Logger log = LoggerFactory.getLogger(MissedAckHints.class);

  private final NodeId self;
  private final Clock clock;
  private final StorageExecutor storage;
  private final LocalReplica replica;
  // Written on the shard's thread only, read by metrics scrapes on another.
  private volatile long kept;

  MissedAckHints(NodeId self, Clock clock, StorageExecutor storage, LocalReplica replica) {
    this.self = self;
    this.clock = clock;
    this.storage = storage;
    this.replica = replica;
  }

  void keep(DataKey key, byte[] record, ReplicaPlan plan, Collection<NodeId> missed, ConflictMode mode) {
    if (record == null) {
      return;
    }
    List<NodeId> homes = new ArrayList<>(missed.size());
    for (NodeId node : missed) {
      NodeId home = plan.hintTarget(node) != null ? plan.hintTarget(node) : node;
      if (!home.equals(self) && !homes.contains(home)) {
        homes.add(home);
      }
    }
    if (homes.isEmpty()) {
      return;
    }
    long now = clock.currentTimeMillis();
    kept += homes.size();
    storage.execute(
        () -> {
          replica.hint(key, record, homes, mode, now);
          return null;
        },
        (ignored, error) -> {
          if (error != null) {
            log.warn("could not keep hints of {} for {}: {}", key, homes, error.toString());
          }
        });
  }

  /** Hints kept for targets that did not acknowledge a write in time, since start. */
  long kept() {
    return kept;
  }
}

package io.dynamo.core.node;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.Hint;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.StatusCode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands hints back to their home replicas once those are up again. Each round, for each target
 * believed up and not already being served, it reads a batch of hints (at most the configured
 * rate allows), sends each as an ordinary replica write, and deletes a hint only after the target
 * acknowledged it and only if nothing was merged into it meanwhile. A crash between the ack and the
 * delete re-delivers the hint later, which is harmless: merging a set twice changes nothing.
 */
final class HintedHandoff {
  private static final Logger log = LoggerFactory.getLogger(HintedHandoff.class);

  private final NodeId self;
  private final List<NodeId> members;
  private final LocalReplica replica;
  private final StorageExecutor storage;
  private final OperationHost host;
  private final ProtocolSettings settings;
  /** Hints sent to each target and not yet answered; a target is served one batch at a time. */
  private final Map<NodeId, Integer> inFlight = new HashMap<>();

  HintedHandoff(
      NodeId self,
      List<NodeId> members,
      LocalReplica replica,
      StorageExecutor storage,
      OperationHost host,
      ProtocolSettings settings) {
    this.self = self;
    this.members = List.copyOf(members);
    this.replica = replica;
    this.storage = storage;
    this.host = host;
    this.settings = settings;
  }

  /** One round: start a batch for every target that is up and idle. */
  void round(Predicate<NodeId> isAvailable) {
    for (NodeId target : members) {
      if (target.equals(self) || inFlight.containsKey(target) || !isAvailable.test(target)) {
        continue;
      }
      inFlight.put(target, 0);
      storage.execute(
          () -> replica.hintsFor(target, settings.handoffBatch()),
          (hints, error) -> {
            if (error != null) {
              log.error("cannot read hints for {}", target, error);
              inFlight.remove(target);
            } else {
              deliver(target, hints);
            }
          });
    }
  }

  private void deliver(NodeId target, List<Hint> hints) {
    if (hints.isEmpty()) {
      inFlight.remove(target);
      return;
    }
    inFlight.put(target, hints.size());
    for (Hint hint : hints) {
      long opId = host.register(new Delivery(hint), settings.requestTimeoutMillis());
      host.send(
          target,
          Replies.replicaWrite(
              opId,
              hint.key().bucket(),
              com.google.protobuf.ByteString.copyFrom(hint.key().key()),
              hint.key().partition(),
              hint.record(),
              null));
    }
  }

  private void settled(NodeId target) {
    Integer left = inFlight.get(target);
    if (left == null || left <= 1) {
      inFlight.remove(target);
    } else {
      inFlight.put(target, left - 1);
    }
  }

  /** One hint on its way to its home replica. */
  private final class Delivery implements Operation {
    private final Hint hint;

    Delivery(Hint hint) {
      this.hint = hint;
    }

    @Override
    public boolean onMessage(NodeId from, Envelope message) {
      if (!from.equals(hint.target()) || !message.hasReplicaWriteResponse()) {
        return false;
      }
      if (message.getReplicaWriteResponse().getCode() != StatusCode.OK) {
        settled(hint.target());
        return true;
      }
      storage.execute(
          () -> replica.deleteHint(hint),
          (deleted, error) -> {
            if (error != null) {
              log.error("cannot delete delivered hint {}", hint, error);
            }
            settled(hint.target());
          });
      return true;
    }

    @Override
    public void onTimeout() {
      settled(hint.target());
    }
  }
}

package io.dynamo.core.handoff;

import io.dynamo.core.node.BucketProperties;
import io.dynamo.core.node.BucketTable;
import io.dynamo.core.node.Operation;
import io.dynamo.core.node.OperationHost;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.Hint;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.view.ClusterView;
import io.dynamo.core.view.ViewHolder;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
public final class HintedHandoff {
  private static final Logger log = LoggerFactory.getLogger(HintedHandoff.class);

  private final NodeId self;
  private final ViewHolder views;
  private final BucketTable buckets;
  private final Clock clock;
  private final LocalReplica replica;
  private final StorageExecutor storage;
  private final OperationHost host;
  private final ProtocolSettings settings;
  /** Hints sent to each target and not yet answered; a target is served one batch at a time. */
  private final Map<NodeId, Integer> inFlight = new HashMap<>();
  /**
   * Targets of hints that are no longer members: their hints are handed to the key's current
   * home replicas instead (see {@link #rehome}). Filled from storage on view changes (a node's
   * first view comes from its startup file, whose members are the targets of its hints).
   */
  private final Set<NodeId> orphans = new HashSet<>();
  private final Set<NodeId> rehoming = new HashSet<>();
  /** Set by {@link #start}. */
  private Scheduler scheduler;

  public HintedHandoff(
      NodeId self,
      ViewHolder views,
      BucketTable buckets,
      Clock clock,
      LocalReplica replica,
      StorageExecutor storage,
      OperationHost host,
      ProtocolSettings settings) {
    this.self = self;
    this.views = views;
    this.buckets = buckets;
    this.clock = clock;
    this.replica = replica;
    this.storage = storage;
    this.host = host;
    this.settings = settings;
  }

  /** Runs a round every handoff interval from now on, handing hints to targets {@code isAvailable} says are up. */
  public void start(Scheduler scheduler, Predicate<NodeId> isAvailable) {
    this.scheduler = scheduler;
    schedule(scheduler, isAvailable);
  }

  private void schedule(Scheduler scheduler, Predicate<NodeId> isAvailable) {
    scheduler.schedule(
        settings.handoffIntervalMillis(),
        () -> {
          schedule(scheduler, isAvailable);
          try {
            round(isAvailable);
          } catch (RuntimeException e) {
            log.error("handoff round failed", e);
          }
        });
  }

  /** One round: start a batch for every target that is up and idle. */
  public void round(Predicate<NodeId> isAvailable) {
    for (NodeId orphan : List.copyOf(orphans)) {
      rehome(orphan);
    }
    for (NodeId target : views.current().members()) {
      if (target.equals(self) || inFlight.containsKey(target) || !isAvailable.test(target)) {
        continue;
      }
      inFlight.put(target, 0);
      ClusterView view = views.current();
      long now = clock.currentTimeMillis();
      storage.execute(
          () -> {
            List<Hint> hints = replica.hintsFor(target, settings.handoffBatch());
            followMoves(hints, target, view, now);
            return hints;
          },
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

  /**
   * A hint for a partition being copied to a new owner is kept for that owner too: delivered only
   * to {@code target}, the copy's source, it could land there after the snapshot was taken and
   * never reach the new owner. Hinting a key again merges with the held hint, so doing it every
   * round the move lasts costs a write, not a copy. Runs on a storage thread.
   */
  private void followMoves(List<Hint> hints, NodeId target, ClusterView view, long now) {
    for (Hint hint : hints) {
      List<NodeId> extra = view.extraWriters(hint.key().partition());
      if (extra.isEmpty()) {
        continue;
      }
      List<NodeId> also = new ArrayList<>(extra);
      also.remove(target);
      keepFor(hint, also, view, now);
    }
  }

  /**
   * Makes {@code nodes} hold {@code hint}'s versions: merged here if this node is one of them,
   * hinted for the others. Runs on a storage thread.
   */
  private void keepFor(Hint hint, List<NodeId> nodes, ClusterView view, long now) {
    BucketProperties props = buckets.propertiesOf(hint.key().bucket(), view.bucketDefaults());
    List<NodeId> others = new ArrayList<>(nodes);
    if (others.remove(self)) {
      replica.merge(hint.key(), hint.siblings(), props.conflictMode(), null, now);
    }
    if (!others.isEmpty()) {
      replica.hint(hint.key(), hint.record().toByteArray(), others, props.conflictMode(), now);
    }
  }

  /**
   * The cluster changed: hints held for members it no longer has go to their keys' new homes. The
   * hints are looked for now and once more later: operations started under the previous view (here
   * or on a coordinator that learns the view later) may still leave hints for a former member
   * after this, for about a request timeout.
   */
  public void onViewChanged() {
    findOrphans();
    if (scheduler != null) {
      scheduler.schedule(2 * settings.requestTimeoutMillis() + settings.handoffIntervalMillis(), this::findOrphans);
    }
  }

  private void findOrphans() {
    storage.execute(
        () -> replica.hintQueues().keySet(),
        (targets, error) -> {
          if (error != null) {
            log.error("cannot list hint targets", error);
            return;
          }
          ClusterView view = views.current();
          for (NodeId target : targets) {
            if (!view.isMember(target)) {
              orphans.add(target);
            }
          }
        });
  }

  /**
   * Hands a batch of the hints held for {@code orphan}, which is no longer a member, to each key's
   * current home replicas: kept here if this node is one, and otherwise hinted again for the homes,
   * which ordinary handoff then delivers. The old hint is deleted only after that, in the same
   * storage task; a crash in between hands it over twice, which merging makes harmless.
   */
  private void rehome(NodeId orphan) {
    if (views.current().isMember(orphan)) {
      orphans.remove(orphan); // it came back
      return;
    }
    if (!rehoming.add(orphan)) {
      return;
    }
    ClusterView view = views.current();
    long now = clock.currentTimeMillis();
    storage.execute(
        () -> {
          List<Hint> hints = replica.hintsFor(orphan, settings.handoffBatch());
          for (Hint hint : hints) {
            int n = buckets.propertiesOf(hint.key().bucket(), view.bucketDefaults()).n();
            keepFor(hint, view.ring().preferenceList(hint.key().partition(), n), view, now);
            replica.deleteHint(hint);
          }
          return hints.size();
        },
        (moved, error) -> {
          rehoming.remove(orphan);
          if (error != null) {
            log.error("cannot hand the hints for former member {} to their new homes", orphan, error);
          } else if (moved == 0) {
            orphans.remove(orphan);
          } else {
            log.info("handed {} hints for former member {} to their keys' current homes", moved, orphan);
          }
        });
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

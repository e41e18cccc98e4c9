package io.dynamo.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.cluster.ClusterStateStore;
import io.dynamo.core.cluster.NodeEntry;
import io.dynamo.core.cluster.PartitionMove;
import io.dynamo.core.cluster.RingState;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.InMemoryStorageEngine;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.transfer.TransferService;
import io.dynamo.core.transfer.TransferSettings;
import io.dynamo.core.version.ConflictMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MembershipServiceTest {
  /**
   * Found by MembershipSimulationTest (seed 74): a node whose own entry listed a completed copy and
   * which learnt a ring of the version it had already applied (another claimant's) compared its
   * copies in a TreeSet without an order, and the gossip message handler threw a
   * ClassCastException: the node never reported the ring as applied, and moves stalled. (Here the
   * start, which applies the initial ring the same way, already hits it.)
   */
  @Test
  void aRingOfTheAppliedVersionIsTakenWhileCopiesAreListed() {
    ClusterState state = ClaimantTest.threeNodesAndN4(false);
    RingState pending =
        Claimant.plan(state, ClaimantTest.N1, List.of(new StagedChange(StagedChange.Kind.JOIN, ClaimantTest.N4)))
            .next();
    PartitionMove copiedMove = pending.moves().get(0).move();
    NodeId self = ClaimantTest.N4;
    NodeEntry me =
        ClaimantTest.entry(self, pending.version(), List.of(copiedMove), false).withVersion(5);
    MembershipService service = service(me, state.with(pending));
    service.start();
    assertThat(service.state().node(self).copied()).containsExactly(copiedMove);

    // The same version committed by another claimant: a different ring of the applied version.
    RingState other =
        Claimant.plan(state, ClaimantTest.N2, List.of(new StagedChange(StagedChange.Kind.JOIN, self)))
            .next();
    service.onPeerMessage(
        ClaimantTest.N2,
        io.dynamo.proto.v1.Envelope.newBuilder()
            .setGossipDelta(io.dynamo.proto.v1.GossipDelta.newBuilder()
                .setState(io.dynamo.core.cluster.ClusterStateCodec.toProto(ClusterState.of(List.of(), other))))
            .build());
    assertThat(service.state().ring()).isEqualTo(pending.max(other));
  }

  private static MembershipService service(NodeEntry self, ClusterState initial) {
    InMemoryStorageEngine engine = new InMemoryStorageEngine();
    List<Runnable> timers = new ArrayList<>();
    Scheduler scheduler = (delay, task) -> {
      timers.add(task);
      return () -> {};
    };
    StorageExecutor storage = new StorageExecutor() {
      @Override
      public <T> void execute(java.util.concurrent.Callable<T> work, java.util.function.BiConsumer<T, Throwable> onDone) {
        try {
          onDone.accept(work.call(), null);
        } catch (Exception e) {
          onDone.accept(null, e);
        }
      }
    };
    TransferService transfers =
        new TransferService(
            self.id(), TransferSettings.DEFAULTS, new LocalReplica(engine, 50), b -> ConflictMode.SIBLINGS,
            TransferService.SourcePolicy.ANY, () -> 0L, scheduler, storage, (to, m) -> {});
    return new MembershipService(
        self, initial, List.of(), MembershipService.Settings.DEFAULT, new Random(1),
        new ClusterStateStore(engine), () -> 0L, scheduler, storage, (to, m) -> {}, (a, m) -> {},
        n -> true, transfers, s -> {});
  }
}

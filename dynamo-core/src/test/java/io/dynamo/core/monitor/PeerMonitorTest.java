package io.dynamo.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.membership.FailureDetector;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.view.ClusterView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerMonitorTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  /** Known (it has an address) but not a member: a node about to join, or whose join was undone. */
  private static final NodeId STRANGER = NodeId.of("n9");

  /**
   * Found by MembershipPartitionTest (seed 1): members heartbeated only members, so a node that was
   * not one (the loser of two joins committed on both sides of a partition) believed every member
   * down, could not hand over the hints it held, and refused reads.
   */
  @Test
  void knownNodesThatAreNotMembersAreHeartbeatedAndMonitored() {
    List<NodeId> sentTo = new ArrayList<>();
    List<Runnable> timers = new ArrayList<>();
    long[] now = {1_000};
    PeerMonitor monitor =
        new PeerMonitor(
            N1, List.of(N1, N2, N3), () -> now[0],
            (delay, task) -> {
              timers.add(task);
              return () -> {};
            },
            (to, message) -> sentTo.add(to),
            PeerHealth.of(new FailureDetector(N1, new io.dynamo.core.membership.PhiAccrualSettings(8.0, 100, 20, 300, 100))),
            new PeerVerdicts(), 100);
    monitor.start();
    Ring ring = Ring.create(List.of(Member.of("n1", 1), Member.of("n2", 1), Member.of("n3", 1)), 8, 3);
    Map<NodeId, ClusterView.Addresses> addresses = new LinkedHashMap<>();
    for (NodeId id : List.of(N1, N2, N3, STRANGER)) {
      addresses.put(id, new ClusterView.Addresses(id + ":7000", id + ":8000"));
    }
    monitor.onViewChanged(new ClusterView(2, ring, addresses));

    now[0] += 100;
    timers.remove(0).run();
    assertThat(sentTo).containsExactlyInAnyOrder(N2, N3, STRANGER);
    for (int i = 0; i < 20; i++) { // the stranger keeps heartbeating; n2 and n3 fall silent
      now[0] += 100;
      monitor.heard(STRANGER);
      timers.remove(0).run();
    }
    assertThat(monitor.isUp(STRANGER)).isTrue();
    assertThat(monitor.isUp(N2)).isFalse();
  }
}

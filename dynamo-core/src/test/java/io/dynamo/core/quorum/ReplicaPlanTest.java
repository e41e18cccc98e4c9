package io.dynamo.core.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.NodeId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplicaPlanTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");
  private static final NodeId D = NodeId.of("d");
  private static final NodeId E = NodeId.of("e");
  private static final List<NodeId> WALK = List.of(A, B, C, D, E);

  private static ReplicaPlan planWithDown(NodeId... down) {
    Set<NodeId> downSet = Set.of(down);
    return ReplicaPlan.of(WALK, 3, node -> !downSet.contains(node));
  }

  @Test
  void withEveryHomeUpTheTargetsAreTheHomes() {
    ReplicaPlan plan = planWithDown();
    assertThat(plan.home()).containsExactly(A, B, C);
    assertThat(plan.targets()).containsExactly(A, B, C);
    assertThat(plan.standsInFor()).isEmpty();
    assertThat(plan.uncovered()).isEmpty();
  }

  @Test
  void substitutesStandInForAbsentHomesInOrder() {
    ReplicaPlan plan = planWithDown(A, C);
    assertThat(plan.targets()).containsExactly(B, D, E);
    assertThat(plan.standsInFor()).isEqualTo(Map.of(D, A, E, C));
    assertThat(plan.hintTarget(D)).isEqualTo(A);
    assertThat(plan.hintTarget(B)).isNull();
    assertThat(plan.uncovered()).isEmpty();
  }

  @Test
  void downNodesPastTheHomesAreSkipped() {
    ReplicaPlan plan = planWithDown(B, D);
    assertThat(plan.targets()).containsExactly(A, C, E);
    assertThat(plan.standsInFor()).isEqualTo(Map.of(E, B));
  }

  @Test
  void homesWithoutASubstituteAreLeftForTheCoordinatorToHint() {
    ReplicaPlan plan = planWithDown(B, C, E);
    assertThat(plan.targets()).containsExactly(A, D);
    assertThat(plan.standsInFor()).isEqualTo(Map.of(D, B));
    assertThat(plan.uncovered()).containsExactly(C);
  }
}

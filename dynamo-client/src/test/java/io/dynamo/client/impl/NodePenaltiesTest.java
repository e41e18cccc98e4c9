package io.dynamo.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NodePenaltiesTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final NodePenalties penalties = new NodePenalties(3, 100, now::get);

  @Test
  void aPenalizedNodeIsSkippedUntilItsPenaltyExpires() {
    penalties.penalize(0);
    assertThat(penalties.choose(0, new boolean[3])).isEqualTo(1);
    assertThat(penalties.isPenalized(0)).isTrue();
    now.addAndGet(100);
    assertThat(penalties.choose(0, new boolean[3])).isZero();
  }

  @Test
  void afterThePenaltyOneRequestProbesAndTheOthersKeepAvoidingTheNode() {
    penalties.penalize(0);
    now.addAndGet(150);
    assertThat(penalties.choose(0, new boolean[3])).as("the probe").isZero();
    assertThat(penalties.choose(0, new boolean[3])).as("while the probe is out").isEqualTo(1);
    assertThat(penalties.isPenalized(0)).isTrue();
    penalties.penalize(0); // the probe got no answer either
    now.addAndGet(50);
    assertThat(penalties.choose(0, new boolean[3])).isEqualTo(1);
    now.addAndGet(50);
    assertThat(penalties.choose(0, new boolean[3])).as("the next probe").isZero();
    penalties.clear(0); // it answered
    assertThat(penalties.choose(0, new boolean[3])).isZero();
    assertThat(penalties.choose(0, new boolean[3])).isZero();
  }

  @Test
  void whenEveryUntriedNodeIsPenalizedOneIsStillChosenAndTriedNodesNever() {
    penalties.penalize(0);
    penalties.penalize(1);
    boolean[] tried = {false, false, true};
    assertThat(penalties.choose(1, tried)).isEqualTo(1);
    assertThat(penalties.choose(0, new boolean[] {true, true, true})).isEqualTo(-1);
  }
}

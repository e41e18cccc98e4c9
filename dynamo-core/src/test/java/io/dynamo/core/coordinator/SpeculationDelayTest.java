package io.dynamo.core.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpeculationDelayTest {
  @Test
  void startsAtTheInitialDelayUntilEnoughGetsWereSeen() {
    SpeculationDelay delay = new SpeculationDelay(10, 1_000);
    for (int i = 0; i < SpeculationDelay.REFRESH - 1; i++) {
      delay.record(1);
    }
    assertThat(delay.millis()).isEqualTo(10);
    delay.record(1);
    assertThat(delay.millis()).as("p99 of 1 ms, rounded up past the truncation").isEqualTo(2);
  }

  @Test
  void followsTheNinetyNinthPercentile() {
    SpeculationDelay delay = new SpeculationDelay(10, 1_000);
    // 1,024 gets: 1,000 of 3 ms and 24 of 40 ms; the 99th percentile is 40 ms.
    for (int i = 0; i < SpeculationDelay.WINDOW; i++) {
      delay.record(i % 43 == 0 ? 40 : 3);
    }
    assertThat(delay.millis()).isEqualTo(41);
    // 99.5 % fast: the 99th percentile is the fast one.
    for (int i = 0; i < SpeculationDelay.WINDOW; i++) {
      delay.record(i % 200 == 0 ? 40 : 3);
    }
    assertThat(delay.millis()).isEqualTo(4);
  }

  @Test
  void forgetsGetsOlderThanTheWindow() {
    SpeculationDelay delay = new SpeculationDelay(10, 1_000);
    for (int i = 0; i < SpeculationDelay.WINDOW; i++) {
      delay.record(500);
    }
    assertThat(delay.millis()).isEqualTo(501);
    for (int i = 0; i < SpeculationDelay.WINDOW; i++) {
      delay.record(0);
    }
    assertThat(delay.millis()).isEqualTo(1);
  }

  @Test
  void staysWithinOneMillisecondAndTheMaximum() {
    SpeculationDelay delay = new SpeculationDelay(0, 50);
    assertThat(delay.millis()).isEqualTo(1);
    for (int i = 0; i < SpeculationDelay.REFRESH; i++) {
      delay.record(Long.MAX_VALUE);
    }
    assertThat(delay.millis()).isEqualTo(50);
    assertThatThrownBy(() -> new SpeculationDelay(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}

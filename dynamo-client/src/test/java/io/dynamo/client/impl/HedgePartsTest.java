package io.dynamo.client.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pieces a hedged get is decided by: the latency window and the budget. */
class HedgePartsTest {
  @Test
  void theWindowGivesNoPercentileUntilItHoldsEnoughSamplesThenTheRecentOne() {
    AtomicLong now = new AtomicLong();
    LatencyWindow w = new LatencyWindow(90, 1_000, 3, 100, now::get);
    for (int i = 1; i <= 99; i++) {
      w.record(i * 1_000L);
    }
    now.addAndGet(1_000);
    assertThat(w.percentileNanos()).as("99 samples, 100 needed").isEqualTo(-1);
    for (int i = 1; i <= 100; i++) {
      w.record(i * 1_000L);
    }
    now.addAndGet(1_000);
    assertThat(w.percentileNanos()).isBetween(89_000L, 91_000L);
    // Three intervals later the early samples are gone; only slow ones remain.
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < 100; i++) {
        w.record(5_000_000L);
      }
      now.addAndGet(1_000);
      w.percentileNanos();
    }
    assertThat(w.percentileNanos()).isBetween(4_900_000L, 5_100_000L);
  }

  @Test
  void theBudgetAllowsTheFractionPlusTheBurst() {
    HedgeBudget budget = new HedgeBudget(0.1, 2);
    int spent = 0;
    for (int i = 0; i < 1_000; i++) {
      budget.earn();
      if (budget.trySpend()) {
        spent++;
      }
    }
    assertThat(spent).isBetween(100, 102);
    assertThatThrownBy(() -> new HedgeBudget(0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}

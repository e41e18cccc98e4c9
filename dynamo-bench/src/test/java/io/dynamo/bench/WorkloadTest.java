package io.dynamo.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkloadTest {
  private static final int DRAWS = 100_000;

  @Test
  void readRatioSetsTheShareOfGets() {
    Workload w = new Workload(0.3, KeyDistribution.uniform(10));
    Random random = new Random(7);
    int gets = 0;
    for (int i = 0; i < DRAWS; i++) {
      if (w.nextOperation(random) == Operation.GET) {
        gets++;
      }
    }
    assertThat(gets / (double) DRAWS).isCloseTo(0.3, offset(0.01));
  }

  @Test
  void ratiosZeroAndOneAreAllPutsAndAllGets() {
    Random random = new Random(1);
    Workload puts = new Workload(0, KeyDistribution.uniform(10));
    Workload gets = new Workload(1, KeyDistribution.uniform(10));
    for (int i = 0; i < 10_000; i++) {
      assertThat(puts.nextOperation(random)).isEqualTo(Operation.PUT);
      assertThat(gets.nextOperation(random)).isEqualTo(Operation.GET);
    }
  }

  @Test
  void sameSeedSameSequence() {
    Workload w = new Workload(0.5, KeyDistribution.zipfian(1000, 0.99));
    SplittableRandom a = new SplittableRandom(42);
    SplittableRandom b = new SplittableRandom(42);
    for (int i = 0; i < 1000; i++) {
      assertThat(w.nextOperation(a)).isEqualTo(w.nextOperation(b));
      assertThat(w.nextKey(a)).isEqualTo(w.nextKey(b));
    }
  }

  @Test
  void uniformKeysCoverTheRangeEvenly() {
    int[] hits = histogram(KeyDistribution.uniform(10), 10, new Random(3));
    for (int h : hits) {
      assertThat(h).isBetween(DRAWS / 10 - 600, DRAWS / 10 + 600);
    }
  }

  @Test
  void zipfianKeysFavourTheFirstRanks() {
    int keys = 1000;
    int[] hits = histogram(KeyDistribution.zipfian(keys, 0.99), keys, new Random(5));
    // With theta 0.99 over 1000 keys, P(rank 0) = 1/zeta(1000) ~ 0.13 and P(rank 1) ~ half that.
    assertThat(hits[0] / (double) DRAWS).isBetween(0.11, 0.15);
    assertThat(hits[1]).isBetween(hits[0] * 4 / 10, hits[0] * 6 / 10);
    assertThat(hits[0]).isGreaterThan(hits[10]).isGreaterThan(hits[keys - 1]);
    int top10 = 0;
    for (int i = 0; i < 10; i++) {
      top10 += hits[i];
    }
    assertThat(top10 / (double) DRAWS).isGreaterThan(0.35);
  }

  @Test
  void keysHaveFixedWidth() {
    assertThat(new String(Workload.key(0), StandardCharsets.US_ASCII)).isEqualTo("key0000000000");
    assertThat(new String(Workload.key(1234567), StandardCharsets.US_ASCII)).isEqualTo("key0001234567");
    assertThat(new String(Workload.key(Integer.MAX_VALUE), StandardCharsets.US_ASCII))
        .isEqualTo("key2147483647");
    assertThatThrownBy(() -> Workload.key(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsBadParameters() {
    assertThatThrownBy(() -> new Workload(1.5, KeyDistribution.uniform(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyDistribution.uniform(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyDistribution.zipfian(10, 1.0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static int[] histogram(KeyDistribution d, int keys, Random random) {
    int[] hits = new int[keys];
    for (int i = 0; i < DRAWS; i++) {
      int k = d.next(random);
      assertThat(k).isBetween(0, keys - 1);
      hits[k]++;
    }
    return hits;
  }
}

package io.dynamo.core.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PhiAccrualSettingsTest {
  @Test
  void defaultsAreAkkaClusters() {
    PhiAccrualSettings d = PhiAccrualSettings.DEFAULT;
    assertThat(d.threshold()).isEqualTo(8.0);
    assertThat(d.maxSampleSize()).isEqualTo(1000);
    assertThat(d.minStdDeviationMillis()).isEqualTo(100);
    assertThat(d.acceptableHeartbeatPauseMillis()).isEqualTo(3_000);
    assertThat(d.firstHeartbeatEstimateMillis()).isEqualTo(1_000);
  }

  @Test
  void rejectsAThresholdThatIsNotPositiveAndFinite() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> new PhiAccrualSettings(bad, 1000, 100, 3_000, 1_000))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("threshold");
    }
  }

  @Test
  void rejectsAWindowTooSmallForTheBootstrap() {
    assertThatThrownBy(() -> new PhiAccrualSettings(8, 1, 100, 3_000, 1_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSampleSize")
        .hasMessageContaining("was 1");
    assertThat(new PhiAccrualSettings(8, 2, 100, 3_000, 1_000).maxSampleSize()).isEqualTo(2);
  }

  @Test
  void rejectsAStdDeviationFloorThatIsNotPositive() {
    assertThatThrownBy(() -> new PhiAccrualSettings(8, 1000, 0, 3_000, 1_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minStdDeviationMillis");
  }

  @Test
  void rejectsANegativePauseButAcceptsNone() {
    assertThatThrownBy(() -> new PhiAccrualSettings(8, 1000, 100, -1, 1_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acceptableHeartbeatPauseMillis");
    assertThat(new PhiAccrualSettings(8, 1000, 100, 0, 1_000).acceptableHeartbeatPauseMillis())
        .isZero();
  }

  @Test
  void rejectsAFirstEstimateThatIsNotPositive() {
    assertThatThrownBy(() -> new PhiAccrualSettings(8, 1000, 100, 3_000, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("firstHeartbeatEstimateMillis");
  }

  @Test
  void withThresholdChangesOnlyTheThresholdAndValidates() {
    PhiAccrualSettings s = PhiAccrualSettings.DEFAULT.withThreshold(12);
    assertThat(s).isEqualTo(new PhiAccrualSettings(12, 1000, 100, 3_000, 1_000));
    assertThatThrownBy(() -> PhiAccrualSettings.DEFAULT.withThreshold(-3))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

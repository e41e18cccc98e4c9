package io.dynamo.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class PhiAccrualDetectorProperties {

  /** Small windows, so that eviction happens; pauses and std-dev floors from tiny to large. */
  @Provide
  Arbitrary<PhiAccrualSettings> settings() {
    return Combinators.combine(
            Arbitraries.doubles().between(0.05, 20),
            Arbitraries.integers().between(2, 12),
            Arbitraries.longs().between(1, 500),
            Arbitraries.longs().between(0, 5_000),
            Arbitraries.longs().between(1, 3_000))
        .as(PhiAccrualSettings::new);
  }

  /** Gaps between heartbeats: mostly regular or jittery, some pauses, a few outages. */
  @Provide
  Arbitrary<List<Long>> gaps() {
    Arbitrary<Long> gap =
        Arbitraries.integers()
            .between(0, 9)
            .flatMap(
                kind ->
                    kind < 6
                        ? Arbitraries.longs().between(0, 2_000)
                        : kind < 9
                            ? Arbitraries.longs().between(2_000, 12_000)
                            : Arbitraries.longs().between(12_000, 120_000));
    return gap.list().ofMaxSize(40);
  }

  private static PhiAccrualDetector replay(PhiAccrualSettings s, long start, List<Long> gaps) {
    PhiAccrualDetector d = new PhiAccrualDetector(s);
    long t = start;
    for (long gap : gaps) {
      t += gap;
      d.heartbeat(t);
    }
    return d;
  }

  private static long lastBeat(long start, List<Long> gaps) {
    return start + gaps.stream().mapToLong(Long::longValue).sum();
  }

  @Property
  void phiIsNonNegativeFiniteAndNonDecreasingInElapsedTime(
      @ForAll("settings") PhiAccrualSettings s,
      @ForAll @LongRange(min = -1_000_000_000_000L, max = 1_000_000_000_000L) long start,
      @ForAll("gaps") List<Long> gaps,
      @ForAll @Size(max = 30) List<@LongRange(min = 0, max = 600_000) Long> offsets) {
    PhiAccrualDetector d = replay(s, start, gaps);
    long last = lastBeat(start, gaps);
    List<Long> sorted = new ArrayList<>(offsets);
    sorted.sort(null);
    double previous = 0.0;
    for (long offset : sorted) {
      double phi = d.phi(last + offset);
      assertThat(phi).as("phi at +%d ms", offset).isFinite().isGreaterThanOrEqualTo(0.0);
      assertThat(phi).as("phi at +%d ms", offset).isGreaterThanOrEqualTo(previous);
      previous = phi;
    }
  }

  @Property
  void onceUnavailableStaysUnavailableUntilTheNextHeartbeat(
      @ForAll("settings") PhiAccrualSettings s,
      @ForAll @LongRange(min = 0, max = 1_000_000_000L) long start,
      @ForAll("gaps") List<Long> gaps,
      @ForAll @Size(max = 30) List<@LongRange(min = 0, max = 600_000) Long> offsets) {
    PhiAccrualDetector d = replay(s, start, gaps);
    long last = lastBeat(start, gaps);
    List<Long> sorted = new ArrayList<>(offsets);
    sorted.sort(null);
    Long downSince = null;
    for (long offset : sorted) {
      boolean available = d.isAvailable(last + offset);
      if (downSince != null) {
        assertThat(available)
            .as("unavailable at +%d ms, so still unavailable at +%d ms", downSince, offset)
            .isFalse();
      } else if (!available) {
        downSince = offset;
      }
    }
  }

  /**
   * Two detectors fed the same heartbeats, differing only in threshold: at every instant (during
   * the history, just before each heartbeat and in between, and after it) the one with the larger
   * threshold is down only if the other is down too.
   */
  @Property
  void aLargerThresholdNeverMarksAPeerDownEarlier(
      @ForAll("settings") PhiAccrualSettings s,
      @ForAll @DoubleRange(min = 0.05, max = 20) double otherThreshold,
      @ForAll @LongRange(min = 0, max = 1_000_000_000L) long start,
      @ForAll("gaps") List<Long> gaps,
      @ForAll @IntRange(min = 0, max = 600_000) int tail) {
    double lo = Math.min(s.threshold(), otherThreshold);
    double hi = Math.max(s.threshold(), otherThreshold);
    PhiAccrualDetector eager = new PhiAccrualDetector(s.withThreshold(lo));
    PhiAccrualDetector patient = new PhiAccrualDetector(s.withThreshold(hi));
    long t = start;
    List<Long> all = new ArrayList<>(gaps);
    all.add((long) tail); // the silence after the last heartbeat, probed but not ended by a beat
    for (int i = 0; i < all.size(); i++) {
      long gap = all.get(i);
      for (int k = 1; k <= 4; k++) {
        long probe = t + gap * k / 4;
        if (!patient.isAvailable(probe)) {
          assertThat(eager.isAvailable(probe))
              .as(
                  "at %d (gap %d of %d): down at threshold %s (phi %s) but up at %s (phi %s)",
                  probe, i, all.size(), hi, patient.phi(probe), lo, eager.phi(probe))
              .isFalse();
        }
      }
      t += gap;
      if (i < gaps.size()) {
        eager.heartbeat(t);
        patient.heartbeat(t);
      }
    }
  }
}

package io.dynamo.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.membership.FailureDetector.Transition;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureDetectorTest {
  private static final NodeId SELF = NodeId.of("self");
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");
  private static final PhiAccrualSettings SETTINGS = PhiAccrualSettings.DEFAULT;

  private final FailureDetector fd = new FailureDetector(SELF, SETTINGS);

  /** Heartbeats from each of {@code nodes} every second in [from, to]. */
  private void beats(long from, long to, NodeId... nodes) {
    for (long t = from; t <= to; t += 1_000) {
      for (NodeId n : nodes) {
        fd.heartbeat(n, t);
      }
    }
  }

  @Test
  void selfIsAlwaysAvailableAndItsOwnHeartbeatsAreIgnored() {
    fd.heartbeat(SELF, 0);
    assertThat(fd.monitored()).isEmpty();
    assertThat(fd.phi(SELF, Long.MAX_VALUE)).isZero();
    assertThat(fd.isAvailable(SELF, Long.MAX_VALUE)).isTrue();
    assertThat(fd.evaluate(Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void aPeerNeverHeardFromIsPresumedAvailable() {
    assertThat(fd.phi(A, 1_000_000)).isZero();
    assertThat(fd.isAvailable(A, 1_000_000)).isTrue();
    assertThat(fd.evaluate(1_000_000)).isEmpty();
  }

  @Test
  void evaluateReportsEachChangeOnce() {
    beats(0, 20_000, A, B, C);
    assertThat(fd.evaluate(20_000)).isEmpty();

    // B falls silent after 20 s; A and C carry on.
    List<Transition> seen = new ArrayList<>();
    List<Long> when = new ArrayList<>();
    for (long t = 20_100; t <= 60_000; t += 100) {
      if (t % 1_000 == 0) {
        fd.heartbeat(A, t);
        fd.heartbeat(C, t);
      }
      for (Transition tr : fd.evaluate(t)) {
        seen.add(tr);
        when.add(t);
      }
    }
    assertThat(seen).hasSize(1);
    Transition down = seen.get(0);
    assertThat(down.node()).isEqualTo(B);
    assertThat(down.available()).isFalse();
    assertThat(down.phi()).isGreaterThanOrEqualTo(SETTINGS.threshold());
    // Suspected 4.523 s after its last heartbeat (see PhiAccrualDetectorTest), seen at the next
    // evaluate, 100 ms later at most.
    assertThat(when.get(0)).isBetween(24_523L, 24_623L);
    assertThat(fd.isAvailable(B, 60_000)).isFalse();
    assertThat(fd.isAvailable(A, 60_000)).isTrue();

    fd.heartbeat(B, 60_500);
    assertThat(fd.evaluate(60_500))
        .singleElement()
        .satisfies(
            up -> {
              assertThat(up.node()).isEqualTo(B);
              assertThat(up.available()).isTrue();
              assertThat(up.phi()).isLessThan(SETTINGS.threshold());
            });
    assertThat(fd.evaluate(60_600)).isEmpty();
  }

  @Test
  void transitionsComeInNodeOrder() {
    beats(0, 20_000, C, A, B);
    assertThat(fd.evaluate(60_000))
        .extracting(Transition::node)
        .containsExactly(A, B, C);
    assertThat(fd.evaluate(60_000)).isEmpty();
  }

  @Test
  void aFlapBetweenTwoEvaluatesGoesUnreported() {
    beats(0, 20_000, A);
    assertThat(fd.evaluate(20_000)).isEmpty();
    assertThat(fd.isAvailable(A, 30_000)).isFalse();
    fd.heartbeat(A, 30_000);
    assertThat(fd.evaluate(30_000)).isEmpty();
  }

  @Test
  void agreesWithAPerPeerDetectorFedTheSameHeartbeats() {
    PhiAccrualDetector alone = new PhiAccrualDetector(SETTINGS);
    long t = 0;
    for (long gap : new long[] {0, 900, 1_100, 1_000, 2_500, 700, 40_000, 1_000, 1_200}) {
      t += gap;
      fd.heartbeat(A, t);
      alone.heartbeat(t);
      for (long probe = t; probe < t + 10_000; probe += 250) {
        assertThat(fd.phi(A, probe)).isEqualTo(alone.phi(probe));
        assertThat(fd.isAvailable(A, probe)).isEqualTo(alone.isAvailable(probe));
      }
    }
  }

  @Test
  void forgetDropsAPeersHistory() {
    beats(0, 20_000, A, B);
    assertThat(fd.evaluate(60_000)).hasSize(2);

    fd.forget(A);
    assertThat(fd.monitored()).containsExactly(B);
    assertThat(fd.isAvailable(A, 60_000)).isTrue();
    assertThat(fd.phi(A, 60_000)).isZero();
    assertThat(fd.evaluate(60_100)).isEmpty();

    // Heard from again, then silent: reported down afresh.
    fd.heartbeat(A, 70_000);
    assertThat(fd.evaluate(70_000)).isEmpty();
    assertThat(fd.evaluate(90_000)).extracting(Transition::node).containsExactly(A);
  }
}

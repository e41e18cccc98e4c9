package io.dynamo.core.quorum;

import static io.dynamo.core.quorum.QuorumTracker.Outcome.FAILED;
import static io.dynamo.core.quorum.QuorumTracker.Outcome.PENDING;
import static io.dynamo.core.quorum.QuorumTracker.Outcome.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuorumTrackerTest {
  static final NodeId A = NodeId.of("a");
  static final NodeId B = NodeId.of("b");
  static final NodeId C = NodeId.of("c");
  static final NodeId STRANGER = NodeId.of("x");

  static QuorumTracker twoOfThree() {
    return new QuorumTracker(List.of(A, B, C), 2);
  }

  @Test
  void succeedsOnTheRequiredNumberOfDistinctSuccesses() {
    QuorumTracker t = twoOfThree();
    assertThat(t.outcome()).isEqualTo(PENDING);
    assertThat(t.onSuccess(A)).isEqualTo(PENDING);
    assertThat(t.onSuccess(B)).isEqualTo(SUCCEEDED);
    assertThat(t.successes()).isEqualTo(2);
  }

  @Test
  void failsAsSoonAsTooFewRepliesCanStillSucceed() {
    QuorumTracker t = twoOfThree();
    assertThat(t.onFailure(A)).isEqualTo(PENDING);
    assertThat(t.onFailure(B)).isEqualTo(FAILED);
    // The last replica cannot rescue it.
    assertThat(t.onSuccess(C)).isEqualTo(FAILED);
  }

  @Test
  void oneFailureWithTwoSuccessesStillSucceeds() {
    QuorumTracker t = twoOfThree();
    assertThat(t.onSuccess(A)).isEqualTo(PENDING);
    assertThat(t.onFailure(B)).isEqualTo(PENDING);
    assertThat(t.onSuccess(C)).isEqualTo(SUCCEEDED);
  }

  @Test
  void repeatedSuccessFromOneNodeCountsOnce() {
    QuorumTracker t = twoOfThree();
    assertThat(t.onSuccess(A)).isEqualTo(PENDING);
    assertThat(t.onSuccess(A)).isEqualTo(PENDING);
    assertThat(t.successes()).isEqualTo(1);
  }

  @Test
  void repeatedFailureFromOneNodeCountsOnce() {
    QuorumTracker t = twoOfThree();
    assertThat(t.onFailure(A)).isEqualTo(PENDING);
    assertThat(t.onFailure(A)).isEqualTo(PENDING);
    assertThat(t.onSuccess(B)).isEqualTo(PENDING);
    assertThat(t.onSuccess(C)).isEqualTo(SUCCEEDED);
  }

  @Test
  void answersFromNodesNotAskedAreIgnored() {
    QuorumTracker t = twoOfThree();
    assertThat(t.onSuccess(STRANGER)).isEqualTo(PENDING);
    assertThat(t.onSuccess(A)).isEqualTo(PENDING);
    assertThat(t.successes()).isEqualTo(1);
    assertThat(t.hasAnswered(STRANGER)).isFalse();
    QuorumTracker f = twoOfThree();
    f.onFailure(STRANGER);
    f.onFailure(STRANGER);
    assertThat(f.onFailure(A)).isEqualTo(PENDING);
  }

  @Test
  void aNodeFirstAnswerStands() {
    QuorumTracker t = twoOfThree();
    t.onFailure(A);
    assertThat(t.onSuccess(A)).isEqualTo(PENDING);
    assertThat(t.successes()).isZero();
    t.onSuccess(B);
    assertThat(t.onFailure(B)).isEqualTo(PENDING);
    assertThat(t.successes()).isEqualTo(1);
    assertThat(t.hasAnswered(A)).isTrue();
    assertThat(t.hasAnswered(B)).isTrue();
    assertThat(t.hasAnswered(C)).isFalse();
  }

  @Test
  void successIsFinal() {
    QuorumTracker t = twoOfThree();
    t.onSuccess(A);
    t.onSuccess(B);
    assertThat(t.onFailure(C)).isEqualTo(SUCCEEDED);
  }

  @Test
  void quorumOfOneAndOfAll() {
    QuorumTracker one = new QuorumTracker(List.of(A, B, C), 1);
    assertThat(one.onFailure(A)).isEqualTo(PENDING);
    assertThat(one.onSuccess(C)).isEqualTo(SUCCEEDED);
    QuorumTracker all = new QuorumTracker(List.of(A, B, C), 3);
    assertThat(all.onSuccess(A)).isEqualTo(PENDING);
    assertThat(all.onSuccess(B)).isEqualTo(PENDING);
    assertThat(all.onFailure(C)).isEqualTo(FAILED);
  }

  @Test
  void impossibleQuorumsAreRejected() {
    assertThatThrownBy(() -> new QuorumTracker(List.of(A, B), 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QuorumTracker(List.of(A, B), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QuorumTracker(List.of(), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

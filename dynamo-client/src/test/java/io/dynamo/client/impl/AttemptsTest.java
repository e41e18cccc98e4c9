package io.dynamo.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AttemptsTest {
  private final AtomicLong now = new AtomicLong(1_000);

  private Endpoint endpoint(String name) {
    return new Endpoint(name, null, new NodeHealth(100, now::get));
  }

  @Test
  void eachNodeIsTriedOnceInOrderAndPenalizedOnesLast() {
    Endpoint a = endpoint("a");
    Endpoint b = endpoint("b");
    Endpoint c = endpoint("c");
    a.health().penalize();
    Attempts attempts = new Attempts(List.of(a, b, c));
    assertThat(attempts.next()).isSameAs(b);
    assertThat(attempts.hasHealthyUntried()).isTrue();
    assertThat(attempts.next()).isSameAs(c);
    assertThat(attempts.hasHealthyUntried()).isFalse();
    assertThat(attempts.exhausted()).isFalse();
    assertThat(attempts.next()).as("the penalized one, when nothing else is left").isSameAs(a);
    assertThat(attempts.exhausted()).isTrue();
    assertThat(attempts.next()).isNull();
  }

  @Test
  void afterThePenaltyOneRequestProbesAndTheOthersKeepAvoidingTheNode() {
    Endpoint a = endpoint("a");
    Endpoint b = endpoint("b");
    a.health().penalize();
    now.addAndGet(150);
    assertThat(new Attempts(List.of(a, b)).next()).as("the probe").isSameAs(a);
    assertThat(new Attempts(List.of(a, b)).next()).as("while the probe is out").isSameAs(b);
    assertThat(a.health().isPenalized()).isTrue();
    a.health().penalize(); // the probe got no answer either
    now.addAndGet(50);
    assertThat(new Attempts(List.of(a, b)).next()).isSameAs(b);
    now.addAndGet(50);
    assertThat(new Attempts(List.of(a, b)).next()).as("the next probe").isSameAs(a);
    a.health().clear(); // it answered
    assertThat(new Attempts(List.of(a, b)).next()).isSameAs(a);
    assertThat(new Attempts(List.of(a, b)).next()).isSameAs(a);
  }

  @Test
  void aProbeThatSentNothingIsReleasedForTheNextRequest() {
    Endpoint a = endpoint("a");
    Endpoint b = endpoint("b");
    a.health().penalize();
    now.addAndGet(150);
    assertThat(new Attempts(List.of(a, b)).next()).as("the probe").isSameAs(a);
    a.health().release(); // refused by the client's own limit: nothing reached the node
    assertThat(new Attempts(List.of(a, b)).next()).as("another request may probe").isSameAs(a);
  }

  @Test
  void refillAddsOnlyNewNodesAfterTheOthersAndCancelStopsFurtherAttempts() {
    Endpoint a = endpoint("a");
    Endpoint b = endpoint("b");
    Attempts attempts = new Attempts(List.of(a));
    assertThat(attempts.next()).isSameAs(a);
    attempts.refill(List.of(a, b));
    assertThat(attempts.next()).isSameAs(b);
    assertThat(attempts.next()).isNull();
    attempts.cancel();
    assertThat(attempts.isCancelled()).isTrue();
  }
}

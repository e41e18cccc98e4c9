package io.dynamo.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  private final Deadlines deadlines = new Deadlines();
  private final List<Long> expired = new ArrayList<>();

  @Test
  void expiresInDeadlineOrderAcrossTimeouts() {
    assertThat(deadlines.add(1, 1_000, 0)).isTrue();
    assertThat(deadlines.add(2, 1_500, 0)).isFalse();
    assertThat(deadlines.add(3, 1_000, 200)).isFalse();
    assertThat(deadlines.add(4, 100, 300)).as("a shorter timeout can come first").isTrue();
    assertThat(deadlines.earliest()).isEqualTo(400);
    deadlines.expire(999, expired::add);
    assertThat(expired).containsExactly(4L);
    deadlines.expire(1_200, expired::add);
    assertThat(expired).containsExactly(4L, 1L, 3L);
    assertThat(deadlines.earliest()).isEqualTo(1_500);
    deadlines.expire(1_500, expired::add);
    assertThat(expired).containsExactly(4L, 1L, 3L, 2L);
    assertThat(deadlines.earliest()).isEqualTo(Long.MAX_VALUE);
    assertThat(deadlines.size()).isZero();
  }

  @Test
  void expiringMayRegisterMore() {
    deadlines.add(1, 10, 0);
    deadlines.expire(10, id -> deadlines.add(id + 100, 50, 10));
    assertThat(deadlines.earliest()).isEqualTo(60);
  }
}

package io.dynamo.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.impl.SessionFloors;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.VectorClock;
import org.junit.jupiter.api.Test;

class SessionFloorsTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");

  private static VectorClock clock(long a, long b) {
    VectorClock c = VectorClock.EMPTY;
    if (a > 0) {
      c = c.with(new Dot(A, a, 0));
    }
    if (b > 0) {
      c = c.with(new Dot(B, b, 0));
    }
    return c;
  }

  @Test
  void aReadCoversTheFloorOnlyIfItHasSeenEveryVersionInIt() {
    assertThat(Session.covers(clock(2, 1), clock(2, 1))).isTrue();
    assertThat(Session.covers(clock(3, 1), clock(2, 1))).isTrue();
    assertThat(Session.covers(clock(1, 1), clock(2, 1))).as("older").isFalse();
    assertThat(Session.covers(clock(3, 0), clock(2, 1))).as("concurrent").isFalse();
    assertThat(Session.covers(VectorClock.EMPTY, clock(1, 0))).as("nothing found").isFalse();
  }

  @Test
  void floorsMergeAndTheLeastRecentlyUsedKeyIsForgotten() {
    SessionFloors floors = new SessionFloors(2);
    floors.raise("b", "k1".getBytes(UTF_8), clock(1, 0));
    floors.raise("b", "k1".getBytes(UTF_8), clock(0, 2));
    assertThat(floors.get("b", "k1".getBytes(UTF_8))).isEqualTo(clock(1, 2));
    floors.raise("b", "k2".getBytes(UTF_8), clock(1, 0));
    floors.get("b", "k1".getBytes(UTF_8)); // k1 used more recently than k2
    floors.raise("b", "k3".getBytes(UTF_8), clock(1, 0));
    assertThat(floors.size()).isEqualTo(2);
    assertThat(floors.get("b", "k2".getBytes(UTF_8))).isNull();
    assertThat(floors.get("b", "k1".getBytes(UTF_8))).isNotNull();
    assertThat(floors.get("other", "k1".getBytes(UTF_8))).as("per bucket").isNull();
  }
}

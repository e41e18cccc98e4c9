package io.dynamo.core.version;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A client that reuses a write id for different values made different writes: replicas that meet
 * the copies and a writer's version in any order end with the same versions (found by review:
 * uniting them picked a value by arrival order).
 */
class ReusedWriteIdTest {
  static final WriteId ID = WriteId.of(new byte[] {1, 2, 3});

  static Versioned copy(String node, String value) {
    return Versioned.value(new Dot(NodeId.of(node), 1, 1), VectorClock.EMPTY, value.getBytes(StandardCharsets.UTF_8))
        .withWriteId(ID);
  }

  @Test
  void copiesWithDifferentValuesConvergeWhateverTheOrder() {
    Versioned xa = copy("n0", "A");
    Versioned xb = copy("n1", "B");
    Versioned xc = copy("n2", "C");
    Versioned y =
        Versioned.value(new Dot(NodeId.of("n3"), 1, 2), VectorClock.of(new Dot(NodeId.of("n0"), 1, 1)),
            "Y".getBytes(StandardCharsets.UTF_8));
    List<Versioned> all = List.of(xa, xb, xc, y);
    Set<SiblingSet> outcomes = new HashSet<>();
    Random random = new Random(1);
    for (int i = 0; i < 200; i++) {
      List<Versioned> order = new ArrayList<>(all);
      Collections.shuffle(order, random);
      SiblingSet s = SiblingSet.EMPTY;
      for (Versioned v : order) {
        s = s.apply(v, ConflictMode.SIBLINGS);
      }
      outcomes.add(s);
    }
    assertThat(outcomes).hasSize(1);
    // Split over two replicas and merged both ways: the same.
    SiblingSet left = SiblingSet.EMPTY.apply(xa, ConflictMode.SIBLINGS).apply(xc, ConflictMode.SIBLINGS).apply(y, ConflictMode.SIBLINGS);
    SiblingSet right = SiblingSet.EMPTY.apply(xb, ConflictMode.SIBLINGS);
    assertThat(left.merge(right, ConflictMode.SIBLINGS)).isEqualTo(right.merge(left, ConflictMode.SIBLINGS));
  }

  @Test
  void identicalCopiesStillUnite() {
    Versioned x1 = copy("n0", "A");
    Versioned x2 = copy("n1", "A");
    SiblingSet s = SiblingSet.EMPTY.apply(x1, ConflictMode.SIBLINGS).apply(x2, ConflictMode.SIBLINGS);
    assertThat(s.versions()).hasSize(1);
    assertThat(s.values()).hasSize(1);
  }
}

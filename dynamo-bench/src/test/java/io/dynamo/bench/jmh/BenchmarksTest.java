package io.dynamo.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.core.version.Versioned;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs every benchmark's setup and benchmark methods once, directly, and checks the results are
 * what the benchmark claims to measure, so a change in the core cannot leave a benchmark measuring
 * an error path or a degenerate case unnoticed.
 */
class BenchmarksTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void versionCodecRoundTripsSiblingSetsOfOneKilobyteValues(int siblings) {
    VersionCodecBenchmark b = new VersionCodecBenchmark();
    VersionCodecBenchmark.Stored s = new VersionCodecBenchmark.Stored();
    s.siblings = siblings;
    s.valueSize = 1024;
    s.setup();

    assertThat(s.set.versions()).hasSize(siblings);
    for (Versioned v : s.set.versions()) {
      assertThat(v.value()).hasSize(1024);
      assertThat(v.clock().size()).isEqualTo(3);
    }
    assertThat(b.encodeSiblings(s)).isEqualTo(s.encoded);
    assertThat(s.encoded.length).isBetween(siblings * 1024, siblings * 1024 + 200);
    assertThat(b.decodeSiblings(s)).isEqualTo(s.set);
  }

  @Test
  void versionCodecRoundTripsAThreeEntryClock() {
    VersionCodecBenchmark b = new VersionCodecBenchmark();
    VersionCodecBenchmark.ClientContext c = new VersionCodecBenchmark.ClientContext();
    c.setup();

    assertThat(c.clock.size()).isEqualTo(3);
    assertThat(b.encodeClock(c)).isEqualTo(c.encoded);
    VectorClock decoded = b.decodeClock(c);
    assertThat(decoded).isEqualTo(c.clock);
    assertThat(VersionCodec.encodeClock(decoded)).isEqualTo(c.encoded);
  }

  @Test
  void reconciliationCasesHaveTheOutcomesTheirNamesSay() {
    ReconciliationBenchmark b = new ReconciliationBenchmark();
    b.setup();

    SiblingSet replaced = b.applyReplacing();
    assertThat(replaced.versions()).containsExactly(b.replacing);

    assertThat(b.storedSiblings.versions()).hasSize(2);
    SiblingSet three = b.applyConcurrent();
    assertThat(three.versions()).hasSize(3).contains(b.concurrent);

    SiblingSet lww = b.applyLastWriteWins();
    assertThat(lww.versions()).hasSize(1);

    assertThat(b.storedCopy).isNotSameAs(b.stored);
    assertThat(b.mergeEqual()).isEqualTo(b.stored);
    assertThat(b.mergeStaleReplica()).isEqualTo(b.newer);
    assertThat(b.mergeConcurrent().versions())
        .hasSize(2)
        .containsExactlyInAnyOrderElementsOf(
            List.of(b.left.versions().get(0), b.right.versions().get(0)));
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 16})
  void partitioningFindsAPartitionAndThreeDistinctNodes(int members) {
    PartitioningBenchmark b = new PartitioningBenchmark();
    b.members = members;
    b.setup();

    assertThat(b.ring.partitions()).isEqualTo(256);
    assertThat(b.ring.members()).hasSize(members);
    HashSet<Integer> partitions = new HashSet<>();
    for (int i = 0; i < 1024; i++) {
      int p = b.partitionOf();
      assertThat(p).isBetween(0, 255);
      partitions.add(p);
      List<NodeId> preference = b.preferenceList();
      assertThat(preference).hasSize(3).doesNotHaveDuplicates();
    }
    // The keys spread: 1024 keys over 256 partitions reach most of them.
    assertThat(partitions.size()).isGreaterThan(200);
  }
}

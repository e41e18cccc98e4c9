package io.dynamo.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dynamo.core.coordinator.CoordinatorCounters;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.PutRequest;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A put sent to a node outside the key's preference list while the first home replica is paused
 * (and, without failure detection here, still believed up): with a write id, the forwarder sends it
 * to the next home replica after {@code forwardRetryMillis} and the put succeeds well within the
 * request timeout; when the paused node resumes, it refuses the forward that waited past its
 * deadline, and every home replica ends with the write once. Without a write id the forwarder does
 * not retry (a second attempt could be a second write) and the put times out.
 */
class ForwardRetryTest {
  private static final ByteString KEY = ByteString.copyFromUtf8("k");
  private static final ByteString ID = ByteString.copyFrom(new byte[] {7, 7, 7, 7});

  @TestFactory
  Stream<DynamicTest> aWriteThroughAPausedFirstHomeReplicaSucceedsViaTheNext() {
    return SimulationSeeds.forEach(getClass(), 50, seed -> {
      Setup s = new Setup(seed);
      List<Envelope> answers = new ArrayList<>();
      long sentAt = s.cluster.queue().now();
      s.client.attempt(s.forwarder, b -> b.setPutRequest(s.put(true)), 5_000,
          op -> answers.add(op.response()));
      s.cluster.runUntil(() -> !answers.isEmpty(), 10, 5_000);
      assertThat(answers).singleElement().satisfies(a -> assertThat(a.hasPutResponse()).as("%s", a).isTrue());
      long settings = s.cluster.config().settings().requestTimeoutMillis();
      assertThat(s.cluster.history().ops().get(0).completedAt() - sentAt).isLessThan(settings);

      s.cluster.runFor(2 * settings); // past the forward's deadline
      s.cluster.resume(s.homes.get(0));
      s.cluster.runUntilIdle();
      for (NodeId home : s.homes) {
        assertThat(s.stored(home).values()).as("on %s", home).hasSize(1);
      }
      // The paused node refused the late forward: no copy of the write is its own event (it holds
      // the one the next home replica made, from that replica's write).
      assertThat(s.stored(s.homes.get(0)).versions())
          .allSatisfy(v -> assertThat(v.dots()).noneMatch(d -> d.node().equals(s.homes.get(0))));
      assertThat(s.cluster.quiescenceProblems()).isEmpty();
      // Counted once, however many coordinators the forward tried; never by those coordinators.
      assertThat(forwardedPuts(s.cluster, s.forwarder)).isOne();
      for (NodeId home : s.homes) {
        assertThat(forwardedPuts(s.cluster, home)).as("on %s", home).isZero();
      }
    });
  }

  private static long forwardedPuts(SimulatedCluster cluster, NodeId node) {
    return cluster.node(node).protocol().coordinatorCounters().forwarded(CoordinatorCounters.Op.PUT);
  }

  @TestFactory
  Stream<DynamicTest> withoutAWriteIdTheForwarderDoesNotRetry() {
    return SimulationSeeds.forEach(getClass(), 10, seed -> {
      Setup s = new Setup(seed);
      List<Envelope> answers = new ArrayList<>();
      s.client.attempt(s.forwarder, b -> b.setPutRequest(s.put(false)), 5_000,
          op -> answers.add(op.response()));
      s.cluster.runUntil(() -> !answers.isEmpty(), 10, 5_000);
      assertThat(answers).singleElement()
          .satisfies(a -> assertThat(a.getError().getCode()).isEqualTo(StatusCode.TIMEOUT));
      for (NodeId home : s.homes.subList(1, 3)) {
        assertThat(s.stored(home).isEmpty()).isTrue();
      }
    });
  }

  /** Five nodes, reliable network, no failure detector; the key's first home replica paused. */
  private static final class Setup {
    final SimulatedCluster cluster;
    final List<NodeId> homes;
    final NodeId forwarder;
    final SimulatedClient client;

    Setup(long seed) {
      Random random = new Random(seed);
      SimulationConfig config = SimulationConfig.random(random, 0).withNodes(5).withQuorums(2, 2);
      cluster = new SimulatedCluster(config, random, new SimulatedTrace(false));
      homes = cluster.ring().preferenceList(SimulationScenarios.BUCKET, KEY.toByteArray(), 3);
      forwarder = cluster.nodeIds().stream().filter(id -> !homes.contains(id)).findFirst().orElseThrow();
      client = cluster.newClient("c");
      cluster.pause(homes.get(0));
    }

    PutRequest put(boolean withId) {
      PutRequest.Builder b =
          PutRequest.newBuilder()
              .setBucket(SimulationScenarios.BUCKET)
              .setKey(KEY)
              .setValue(ByteString.copyFromUtf8("v"))
              .setDeadlineUnixMillis(SimulatedClock.EPOCH_MILLIS + cluster.queue().now() + 5_000);
      if (withId) {
        b.setWriteId(ID);
      }
      return b.build();
    }

    SiblingSet stored(NodeId node) {
      byte[] raw = KEY.toByteArray();
      return FailureScenarios.storedOn(
          cluster, node,
          new DataKey(cluster.ring().partitionOf(SimulationScenarios.BUCKET, raw), SimulationScenarios.BUCKET, raw));
    }
  }
}

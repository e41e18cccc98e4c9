package io.dynamo.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A get that reaches its coordinator after the deadline its client gave it is refused with
 * OVERLOADED and reads nothing; one within its deadline is served.
 */
class GetDeadlineTest {
  @Test
  void aGetPastItsDeadlineIsRefusedAndOneWithinItIsServed() {
    Random random = new Random(7);
    SimulationConfig config = SimulationConfig.failurePath(random, 0, true);
    SimulatedCluster cluster =
        SimulatedCluster.withDisks(config, random, new SimulatedTrace(false), SimulatedDisk.Durability.SYNC, 0);
    cluster.runFor(1_000);
    NodeId node = cluster.nodeIds().get(0);
    SimulatedClient client = cluster.newClient("c");
    long now = SimulatedClock.EPOCH_MILLIS + cluster.queue().now();
    List<SimulatedHistory.Op> done = new ArrayList<>();
    for (long deadline : new long[] {now - 1, now + 5_000}) {
      client.attempt(
          node,
          b -> b.setGetRequest(
              GetRequest.newBuilder()
                  .setBucket(SimulationScenarios.BUCKET)
                  .setKey(ByteString.copyFromUtf8("k"))
                  .setDeadlineUnixMillis(deadline)),
          5_000,
          done::add);
      cluster.runUntil(() -> client.outstanding() == 0, 10, 5_000);
    }
    assertThat(done).hasSize(2);
    assertThat(done.get(0).response().getError().getCode()).isEqualTo(StatusCode.OVERLOADED);
    assertThat(done.get(0).response().getError().getMessage()).contains("after its deadline");
    assertThat(done.get(1).response().hasGetResponse()).isTrue();
    assertThat(cluster.violations()).isEmpty();
  }
}

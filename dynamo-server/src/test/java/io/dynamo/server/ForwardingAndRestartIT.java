package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.RequestOptions;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes reaching a node outside the key's replicas, and data across restarts, on four nodes. */
class ForwardingAndRestartIT {
  private static final int NODES = 4;

  @TempDir Path dir;

  @Test
  void writeToANonReplicaIsForwardedAndCoordinatedByAReplica() {
    try (MiniCluster cluster = MiniCluster.start(NODES, dir)) {
      Ring ring = ring();
      for (int k = 0; k < 20; k++) {
        String key = "fwd-" + k;
        List<NodeId> replicas = ring.preferenceList("fwd", key.getBytes(UTF_8), 3);
        int outsider = outsider(replicas);
        DynamoClient viaOutsider = cluster.client(outsider);
        Context written = viaOutsider.put("fwd", key, Context.NONE, ("v" + k).getBytes(UTF_8));

        VectorClock clock = VersionCodec.decodeClock(written.toBytes());
        // The actor is the node's id with its data directory's epoch: "n1~k2f9x1ab".
        assertThat(clock.counters().keySet().stream().map(a -> a.value().split("~")[0]).toList())
            .as("the coordinator increments the clock under its own id, and it is a replica")
            .containsExactly(replicas.get(0).value());
        GetResult r = viaOutsider.get("fwd", key.getBytes(UTF_8), RequestOptions.r(3));
        assertThat(new String(r.value(), UTF_8)).isEqualTo("v" + k);
      }
    }
  }

  @Test
  void dataSurvivesRestartOfEveryNode() {
    MiniCluster cluster = MiniCluster.start(NODES, dir);
    try {
      DynamoClient client = cluster.client(0);
      for (int k = 0; k < 50; k++) {
        client.put("durable", "k" + k, Context.NONE, ("v" + k).getBytes(UTF_8));
      }
      Context c1 = client.put("durable", "siblings", Context.NONE, "a".getBytes(UTF_8));
      cluster.client(1).put("durable", "siblings", Context.NONE, "b".getBytes(UTF_8));
      assertThat(c1.isEmpty()).isFalse();

      for (int i = 0; i < NODES; i++) {
        cluster.stopNode(i);
      }
      for (int i = 0; i < NODES; i++) {
        cluster.startNode(i);
      }

      DynamoClient after = cluster.client(2);
      for (int k = 0; k < 50; k++) {
        GetResult r = after.get("durable", ("k" + k).getBytes(UTF_8), RequestOptions.r(3));
        assertThat(new String(r.value(), UTF_8)).isEqualTo("v" + k);
      }
      GetResult siblings = after.get("durable", "siblings".getBytes(UTF_8), RequestOptions.r(3));
      assertThat(ClusterBasicsIT.strings(siblings.values())).containsExactlyInAnyOrder("a", "b");
    } finally {
      cluster.close();
    }
  }

  /** The ring every node computes from the MiniCluster's configuration. */
  private static Ring ring() {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      members.add(Member.of(MiniCluster.id(i), 1));
    }
    return Ring.create(members, 64, 3);
  }

  private static int outsider(List<NodeId> replicas) {
    for (int i = 0; i < NODES; i++) {
      if (!replicas.contains(NodeId.of(MiniCluster.id(i)))) {
        return i;
      }
    }
    throw new AssertionError("every node is a replica of " + replicas);
  }
}

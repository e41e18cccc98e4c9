package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Closed-loop clients issuing random gets, puts and deletes over a few keys, each to a random node
 * (often one outside the key's preference list, so writes get forwarded). Each client remembers
 * the last context it saw per key and writes with it, or blindly now and then, so the history mixes
 * causally ordered and concurrent writes. Every put writes a value unique in the run.
 */
public final class SimulatedWorkload {
  private final SimulatedCluster cluster;
  private final Random random;
  private final String bucket;
  private final List<ByteString> keys = new ArrayList<>();
  private final List<Driver> drivers = new ArrayList<>();
  private final long maxThinkMillis;
  private int finished;

  public SimulatedWorkload(
      SimulatedCluster cluster, String bucket, int keyCount, int clients, int opsPerClient,
      long maxThinkMillis) {
    this.cluster = cluster;
    this.random = cluster.random();
    this.bucket = bucket;
    this.maxThinkMillis = maxThinkMillis;
    for (int i = 0; i < keyCount; i++) {
      keys.add(ByteString.copyFromUtf8("key-" + i));
    }
    for (int i = 0; i < clients; i++) {
      drivers.add(new Driver(cluster.newClient("c" + i), opsPerClient));
    }
  }

  public List<ByteString> keys() {
    return List.copyOf(keys);
  }

  /** Schedules every client's first operation. */
  public void start() {
    for (Driver d : drivers) {
      d.thinkThenNext();
    }
  }

  /** True once every client has finished all its operations. */
  public boolean done() {
    return finished == drivers.size();
  }

  private final class Driver {
    private final SimulatedClient client;
    private final Map<ByteString, ByteString> contexts = new HashMap<>();
    private int remaining;
    private int written;

    Driver(SimulatedClient client, int ops) {
      this.client = client;
      this.remaining = ops;
    }

    void thinkThenNext() {
      cluster.queue().schedule(random.nextLong(maxThinkMillis + 1), client.name() + " think", this::next);
    }

    void next() {
      if (remaining-- == 0) {
        finished++;
        return;
      }
      ByteString key = keys.get(random.nextInt(keys.size()));
      NodeId node = cluster.randomNode();
      SimulationConfig config = cluster.config();
      double choice = random.nextDouble();
      ByteString known = contexts.get(key);
      if (choice < 0.45 || (choice >= 0.9 && known == null)) {
        int r = random.nextBoolean() ? config.r() : 0;
        client.get(node, bucket, key, r, op -> done(key, op.response()));
      } else if (choice < 0.9) {
        ByteString context = known == null || random.nextInt(5) == 0 ? ByteString.EMPTY : known;
        ByteString value = ByteString.copyFromUtf8(client.name() + "-" + written++);
        int w = random.nextBoolean() ? config.w() : 0;
        client.put(node, bucket, key, context, value, w, op -> done(key, op.response()));
      } else {
        int w = random.nextBoolean() ? config.w() : 0;
        client.delete(node, bucket, key, known, w, op -> done(key, op.response()));
      }
    }

    private void done(ByteString key, Envelope response) {
      switch (response.getBodyCase()) {
        case GET_RESPONSE -> contexts.put(key, response.getGetResponse().getContext());
        case PUT_RESPONSE -> contexts.put(key, response.getPutResponse().getContext());
        case DELETE_RESPONSE -> contexts.put(key, response.getDeleteResponse().getContext());
        default -> {
          // a failed request teaches nothing
        }
      }
      thinkThenNext();
    }
  }
}

package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.DeleteRequest;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.PutRequest;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Closed-loop clients that retry, as the Java client does and more eagerly: each get, put or delete
 * goes to a random node; an attempt that gets no answer within the attempt timeout, or an error a
 * retry could cure, is sent again to another random node, while the operation's deadline allows.
 * Every put and delete carries one write id (16 bytes from the seed) and one deadline for all its
 * attempts, so the copies they make are one write. With ids turned off the same retries are
 * unsafe, which is what shows that the duplicate checker is not vacuous.
 *
 * <p>Every put writes a value unique to that logical write; attempts repeat it. Clients remember
 * the last context they saw per key and write with it, or blindly now and then.
 */
final class RetryingWorkload {
  /** Errors after which nothing was done, or the outcome is unknown: another attempt may help. */
  private static final Set<StatusCode> RETRYABLE =
      EnumSet.of(
          StatusCode.TIMEOUT, StatusCode.QUORUM_UNAVAILABLE, StatusCode.OVERLOADED,
          StatusCode.STORAGE_ERROR, StatusCode.INTERNAL);

  private final SimulatedCluster cluster;
  private final Random random;
  private final String bucket;
  private final boolean writeIds;
  private final long deadlineMillis;
  private final long attemptMillis;
  private final long maxThinkMillis;
  private final List<ByteString> keys = new ArrayList<>();
  private final List<Driver> drivers = new ArrayList<>();
  private int finished;
  private int retries;

  /**
   * @param deadlineMillis how long an operation may take, all attempts together
   * @param attemptMillis how long one attempt waits for an answer
   */
  RetryingWorkload(
      SimulatedCluster cluster,
      String bucket,
      int keyCount,
      int clients,
      int opsPerClient,
      long maxThinkMillis,
      long deadlineMillis,
      long attemptMillis,
      boolean writeIds) {
    this.cluster = cluster;
    this.random = cluster.random();
    this.bucket = bucket;
    this.writeIds = writeIds;
    this.deadlineMillis = deadlineMillis;
    this.attemptMillis = attemptMillis;
    this.maxThinkMillis = maxThinkMillis;
    for (int i = 0; i < keyCount; i++) {
      keys.add(ByteString.copyFromUtf8("key-" + i));
    }
    for (int i = 0; i < clients; i++) {
      drivers.add(new Driver(cluster.newClient("c" + i), opsPerClient));
    }
  }

  List<ByteString> keys() {
    return List.copyOf(keys);
  }

  void start() {
    for (Driver d : drivers) {
      d.thinkThenNext();
    }
  }

  boolean done() {
    return finished == drivers.size();
  }

  /** Attempts sent after a first one, over the whole run. */
  int retries() {
    return retries;
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
      double choice = random.nextDouble();
      ByteString known = contexts.get(key);
      long deadline = cluster.queue().now() + deadlineMillis;
      ByteString writeId = writeIds ? randomId() : ByteString.EMPTY;
      long wireDeadline = writeIds ? SimulatedClock.EPOCH_MILLIS + deadline : 0;
      Consumer<Envelope.Builder> body;
      if (choice < 0.4 || (choice >= 0.9 && known == null)) {
        GetRequest get = GetRequest.newBuilder().setBucket(bucket).setKey(key).build();
        body = b -> b.setGetRequest(get);
      } else if (choice < 0.9) {
        ByteString context = known == null || random.nextInt(5) == 0 ? ByteString.EMPTY : known;
        PutRequest put =
            PutRequest.newBuilder()
                .setBucket(bucket)
                .setKey(key)
                .setContext(context)
                .setValue(ByteString.copyFromUtf8(client.name() + "-" + written++))
                .setWriteId(writeId)
                .setDeadlineUnixMillis(wireDeadline)
                .build();
        body = b -> b.setPutRequest(put);
      } else {
        DeleteRequest delete =
            DeleteRequest.newBuilder()
                .setBucket(bucket)
                .setKey(key)
                .setContext(known)
                .setWriteId(writeId)
                .setDeadlineUnixMillis(wireDeadline)
                .build();
        body = b -> b.setDeleteRequest(delete);
      }
      attempt(key, body, deadline, null);
    }

    private void attempt(ByteString key, Consumer<Envelope.Builder> body, long deadline, NodeId last) {
      NodeId node = cluster.randomNode();
      if (node.equals(last)) {
        node = cluster.randomNode(); // usually another node; the same one now and then is fine too
      }
      long wait = Math.max(1, Math.min(attemptMillis, deadline - cluster.queue().now()));
      // As the Java client: an attempt's deadline is when the client stops waiting for it, so a
      // node that gets it later (paused, slow) refuses it instead of making a late copy.
      long attemptDeadline = SimulatedClock.EPOCH_MILLIS + cluster.queue().now() + wait;
      Consumer<Envelope.Builder> sent =
          b -> {
            body.accept(b);
            if (writeIds && b.hasPutRequest()) {
              b.getPutRequestBuilder().setDeadlineUnixMillis(attemptDeadline);
            } else if (writeIds && b.hasDeleteRequest()) {
              b.getDeleteRequestBuilder().setDeadlineUnixMillis(attemptDeadline);
            }
          };
      client.attempt(node, sent, wait, op -> {
        Envelope response = op.response();
        if (response.hasError()
            && RETRYABLE.contains(response.getError().getCode())
            && cluster.queue().now() < deadline) {
          retries++;
          attempt(key, body, deadline, op.node());
          return;
        }
        done(key, response);
      });
    }

    private ByteString randomId() {
      byte[] id = new byte[16];
      random.nextBytes(id);
      return ByteString.copyFrom(id);
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

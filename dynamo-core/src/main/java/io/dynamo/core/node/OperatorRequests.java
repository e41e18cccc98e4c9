package io.dynamo.core.node;

import io.dynamo.core.quorum.ReplicaPlan;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.view.ViewHolder;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.HintQueue;
import io.dynamo.proto.v1.HintsResponse;
import io.dynamo.proto.v1.LocalGetRequest;
import io.dynamo.proto.v1.RouteNode;
import io.dynamo.proto.v1.RouteRequest;
import io.dynamo.proto.v1.RouteResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.function.Consumer;

/** Requests for operators and tests: where a key lives, one replica's copy, pending hints. */
final class OperatorRequests {
  private final NodeProtocol node;
  private final ViewHolder views;
  private final BucketTable buckets;
  private final ProtocolSettings settings;
  private final Clock clock;
  private final StorageExecutor storage;
  private final LocalReplica replica;

  OperatorRequests(
      NodeProtocol node,
      ViewHolder views,
      BucketTable buckets,
      ProtocolSettings settings,
      Clock clock,
      StorageExecutor storage,
      LocalReplica replica) {
    this.node = node;
    this.views = views;
    this.buckets = buckets;
    this.settings = settings;
    this.clock = clock;
    this.storage = storage;
    this.replica = replica;
  }

  void route(long requestId, RouteRequest request, Consumer<Envelope> reply) {
    BucketProperties props = RequestValidator.bucket(buckets, views.current(), request.getBucket());
    byte[] key = request.getKey().toByteArray();
    RequestValidator.key(key, settings);
    int partition = ring().partitionOf(request.getBucket(), key);
    ReplicaPlan plan = node.plan(partition, props.n());
    RouteResponse.Builder b = RouteResponse.newBuilder().setPartition(partition);
    for (NodeId home : plan.home()) {
      b.addPreferenceList(RouteNode.newBuilder().setNodeId(home.value()).setUp(node.isUp(home)));
    }
    for (NodeId target : plan.targets()) {
      RouteNode.Builder t = RouteNode.newBuilder().setNodeId(target.value()).setUp(true);
      NodeId home = plan.hintTarget(target);
      if (home != null) {
        t.setStandsInFor(home.value());
      }
      b.addTargets(t);
    }
    reply.accept(Replies.envelope(requestId).setRouteResponse(b).build());
  }

  void localGet(long requestId, LocalGetRequest request, Consumer<Envelope> reply) {
    RequestValidator.bucket(buckets, views.current(), request.getBucket());
    byte[] key = request.getKey().toByteArray();
    RequestValidator.key(key, settings);
    DataKey dataKey = new DataKey(ring().partitionOf(request.getBucket(), key), request.getBucket(), key);
    storage.execute(
        () -> replica.read(dataKey),
        (set, error) ->
            reply.accept(
                error != null
                    ? Replies.error(requestId, StatusCode.STORAGE_ERROR, String.valueOf(error.getMessage()))
                    : Replies.envelope(requestId).setGetResponse(Replies.getResponse(set)).build()));
  }

  void hints(long requestId, Consumer<Envelope> reply) {
    long now = clock.currentTimeMillis();
    storage.execute(
        replica::hintQueues,
        (queues, error) -> {
          if (error != null) {
            reply.accept(
                Replies.error(requestId, StatusCode.STORAGE_ERROR, String.valueOf(error.getMessage())));
            return;
          }
          HintsResponse.Builder b = HintsResponse.newBuilder();
          queues.forEach(
              (target, q) ->
                  b.addQueues(
                      HintQueue.newBuilder()
                          .setTarget(target.value())
                          .setCount(q.count())
                          .setOldestAgeMillis(Math.max(0, now - q.oldestCreatedAtMillis()))));
          reply.accept(Replies.envelope(requestId).setHintsResponse(b).build());
        });
  }

  /** The ring of the current view: read per request, never kept. */
  private Ring ring() {
    return views.current().ring();
  }
}

package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.DeleteRequest;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.GetRequest;
import io.dynamo.proto.v1.PutRequest;
import io.dynamo.proto.v1.Quorum;
import io.dynamo.proto.v1.StatusCode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An application talking to the cluster: sends get, put and delete envelopes to the node it is
 * told to, and records each in the history with its invocation and completion times. If no answer
 * comes within its timeout it records a TIMEOUT of its own (the outcome is then unknown). A node
 * answering one request twice, or answering a request never sent, is recorded as a violation.
 */
public final class SimulatedClient {
  private final String name;
  private final SimulatedCluster cluster;
  private final long timeoutMillis;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final Set<Long> gaveUp = new HashSet<>();

  private record Pending(SimulatedHistory.Op op, SimulatedEventQueue.Handle timer,
      Consumer<SimulatedHistory.Op> onDone) {}

  SimulatedClient(String name, SimulatedCluster cluster, long timeoutMillis) {
    this.name = name;
    this.cluster = cluster;
    this.timeoutMillis = timeoutMillis;
  }

  public String name() {
    return name;
  }

  /** Requests sent and not yet answered. */
  public int outstanding() {
    return pending.size();
  }

  public void get(NodeId node, String bucket, ByteString key, int r, Consumer<SimulatedHistory.Op> onDone) {
    GetRequest.Builder get = GetRequest.newBuilder().setBucket(bucket).setKey(key);
    if (r > 0) {
      get.setQuorum(Quorum.newBuilder().setR(r));
    }
    send(node, cluster.nextRequestId(), b -> b.setGetRequest(get), timeoutMillis, onDone);
  }

  public void put(
      NodeId node,
      String bucket,
      ByteString key,
      ByteString context,
      ByteString value,
      int w,
      Consumer<SimulatedHistory.Op> onDone) {
    PutRequest.Builder put =
        PutRequest.newBuilder().setBucket(bucket).setKey(key).setContext(context).setValue(value);
    if (w > 0) {
      put.setQuorum(Quorum.newBuilder().setW(w));
    }
    send(node, cluster.nextRequestId(), b -> b.setPutRequest(put), timeoutMillis, onDone);
  }

  public void delete(
      NodeId node,
      String bucket,
      ByteString key,
      ByteString context,
      int w,
      Consumer<SimulatedHistory.Op> onDone) {
    DeleteRequest.Builder delete =
        DeleteRequest.newBuilder().setBucket(bucket).setKey(key).setContext(context);
    if (w > 0) {
      delete.setQuorum(Quorum.newBuilder().setW(w));
    }
    send(node, cluster.nextRequestId(), b -> b.setDeleteRequest(delete), timeoutMillis, onDone);
  }

  /**
   * Sends one attempt of a request {@code body} builds (a put or delete with its write id, say) and
   * gives up on it after {@code attemptTimeoutMillis}.
   */
  public void attempt(
      NodeId node,
      Consumer<Envelope.Builder> body,
      long attemptTimeoutMillis,
      Consumer<SimulatedHistory.Op> onDone) {
    send(node, cluster.nextRequestId(), body, attemptTimeoutMillis, onDone);
  }

  private void send(
      NodeId node,
      long requestId,
      Consumer<Envelope.Builder> body,
      long timeoutMillis,
      Consumer<SimulatedHistory.Op> onDone) {
    Envelope.Builder b = Replies.envelope(requestId);
    body.accept(b);
    Envelope request = b.build();
    SimulatedEventQueue queue = cluster.queue();
    SimulatedHistory.Op op = cluster.history().invoke(name, node, queue.now(), request);
    SimulatedEventQueue.Handle timer =
        queue.schedule(
            timeoutMillis,
            "client " + name + " timeout #" + requestId,
            () ->
                complete(
                    requestId,
                    Replies.error(
                        requestId, StatusCode.TIMEOUT, "simulated client gave up waiting"),
                    true));
    pending.put(requestId, new Pending(op, timer, onDone));
    cluster.network().sendFromClient(name, node, request, response -> onResponse(requestId, response));
  }

  private void onResponse(long requestId, Envelope response) {
    if (response.getRequestId() != requestId) {
      cluster.violation(
          "client " + name + " sent request #" + requestId + " and got an answer for #"
              + response.getRequestId());
    }
    complete(requestId, response, false);
  }

  private void complete(long requestId, Envelope response, boolean byTimeout) {
    Pending p = pending.remove(requestId);
    if (p == null) {
      if (!byTimeout && !gaveUp.remove(requestId)) {
        cluster.violation("client " + name + " got a second answer to request #" + requestId);
      }
      return;
    }
    if (byTimeout) {
      gaveUp.add(requestId);
    } else {
      p.timer().cancel();
    }
    cluster.history().complete(p.op(), cluster.queue().now(), response);
    if (response.hasPutResponse()) {
      p.op().createdDots(cluster.findDots(p.op().request().getPutRequest()));
    }
    if (p.onDone() != null) {
      p.onDone().accept(p.op());
    }
  }
}

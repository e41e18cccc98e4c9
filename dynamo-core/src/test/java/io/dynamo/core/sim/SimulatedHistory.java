package io.dynamo.core.sim;

import io.dynamo.core.version.Dot;

import com.google.protobuf.ByteString;
import com.google.protobuf.TextFormat;
import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What clients asked and were told, in invocation order: the input of the checkers. An operation
 * without a response is still in flight (or its answer was lost); checkers must treat it as possibly
 * applied.
 */
public final class SimulatedHistory {
  /** The bucket and key an operation addressed. */
  public record Key(String bucket, ByteString key) {
    @Override
    public String toString() {
      return bucket + "/" + key.toStringUtf8();
    }
  }

  /** One client operation. */
  public static final class Op {
    private final long id;
    private final String client;
    private final NodeId node;
    private final long invokedAt;
    private final long invokedStep;
    private final Envelope request;
    private long completedAt = -1;
    private java.util.List<Dot> createdDots = java.util.List.of();
    private long completedStep = Long.MAX_VALUE;
    private Envelope response;

    Op(long id, String client, NodeId node, long invokedAt, long invokedStep, Envelope request) {
      this.id = id;
      this.invokedStep = invokedStep;
      this.client = client;
      this.node = node;
      this.invokedAt = invokedAt;
      this.request = request;
    }

    public long id() {
      return id;
    }

    public String client() {
      return client;
    }

    public NodeId node() {
      return node;
    }

    public long invokedAt() {
      return invokedAt;
    }

    public Envelope request() {
      return request;
    }

    /** Completion time, or -1 while in flight. */
    public long completedAt() {
      return completedAt;
    }

    /** The response, or null while in flight. */
    public Envelope response() {
      return response;
    }

    public boolean isComplete() {
      return response != null;
    }

    /**
     * Where the invocation falls in the history's total order (real-time order, finer than the
     * millisecond clock: events of one millisecond still happen one after the other).
     */
    public long invokedStep() {
      return invokedStep;
    }

    /** Where the completion falls in the history's total order; Long.MAX_VALUE while in flight. */
    public long completedStep() {
      return completedStep;
    }

    /** True if this operation completed before {@code other} was invoked. */
    public boolean precedes(Op other) {
      return completedStep < other.invokedStep;
    }

    void complete(long time, long step, Envelope response) {
      this.completedAt = time;
      this.completedStep = step;
      this.response = response;
    }

    /**
     * The dot of the version an acknowledged put created, as the simulator saw it in the nodes'
     * storage when the put was acknowledged; null if unknown (not a successful put, or every
     * replica had already replaced the version).
     */
    public Dot createdDot() {
      return createdDots.isEmpty() ? null : createdDots.get(0);
    }

    /** Every event of the version holding the put's value, as the simulator saw it; see createdDot. */
    public java.util.List<Dot> createdDots() {
      return createdDots;
    }

    void createdDots(java.util.List<Dot> dots) {
      this.createdDots = java.util.List.copyOf(dots);
    }

    public boolean isGet() {
      return request.hasGetRequest();
    }

    public boolean isPut() {
      return request.hasPutRequest();
    }

    public boolean isDelete() {
      return request.hasDeleteRequest();
    }

    public boolean isWrite() {
      return isPut() || isDelete();
    }

    public boolean succeeded() {
      return response != null && !response.hasError();
    }

    /** The response's status: OK for a successful answer, null while in flight. */
    public StatusCode status() {
      if (response == null) {
        return null;
      }
      return response.hasError() ? response.getError().getCode() : StatusCode.OK;
    }

    public Key key() {
      return switch (request.getBodyCase()) {
        case GET_REQUEST -> new Key(request.getGetRequest().getBucket(), request.getGetRequest().getKey());
        case PUT_REQUEST -> new Key(request.getPutRequest().getBucket(), request.getPutRequest().getKey());
        case DELETE_REQUEST ->
            new Key(request.getDeleteRequest().getBucket(), request.getDeleteRequest().getKey());
        default -> throw new IllegalStateException("not a data request: " + request.getBodyCase());
      };
    }

    /** The write id a put or delete carried; empty when none (or not a write). */
    public ByteString writeId() {
      if (isPut()) {
        return request.getPutRequest().getWriteId();
      }
      return request.hasDeleteRequest() ? request.getDeleteRequest().getWriteId() : ByteString.EMPTY;
    }

    /** The context a write carried (empty for a blind write). */
    public ByteString writeContext() {
      return isPut() ? request.getPutRequest().getContext() : request.getDeleteRequest().getContext();
    }

    @Override
    public String toString() {
      return "#" + id + " " + client + "@" + node + " [" + invokedAt + ".."
          + (completedAt < 0 ? "?" : completedAt) + "] "
          + TextFormat.shortDebugString(request) + " -> "
          + (response == null ? "(no answer)" : TextFormat.shortDebugString(response));
    }
  }

  private final List<Op> ops = new ArrayList<>();
  private long step;

  Op invoke(String client, NodeId node, long time, Envelope request) {
    Op op = new Op(request.getRequestId(), client, node, time, step++, request);
    ops.add(op);
    return op;
  }

  void complete(Op op, long time, Envelope response) {
    op.complete(time, step++, response);
  }

  public List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  /** Operations still without an answer. */
  public long inFlight() {
    return ops.stream().filter(op -> !op.isComplete()).count();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Op op : ops) {
      sb.append(op).append('\n');
    }
    return sb.toString();
  }
}

package io.dynamo.core.sim;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.proto.v1.Envelope;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Carries envelopes between nodes, and between clients and nodes, as bytes: every envelope is
 * serialized when sent and parsed when delivered, so the protobuf encoding is exercised. Peer
 * messages may be dropped, delayed and reordered (see {@link NetworkOptions}), and are lost across a
 * partition (checked when sent and again when delivered) or when the receiver is down. Client links
 * never drop a message, but a request reaching a node that is down is lost and the client's own
 * timeout answers it.
 */
public final class SimulatedNetwork {
  /** Where peer messages for a node arrive. */
  public interface Endpoint {
    /** False while the node is down: messages arriving then are lost. */
    boolean isUp();

    void receivePeer(NodeId from, Envelope message);

    void receiveClient(Envelope request, Consumer<Envelope> reply);
  }

  /** Decides to lose particular messages, for fault injection; on top of random drops. */
  @FunctionalInterface
  public interface MessageFilter {
    boolean drop(NodeId from, NodeId to, Envelope message);
  }

  private record Link(NodeId from, NodeId to) {}

  private final SimulatedEventQueue queue;
  private final Random random;
  private final Map<NodeId, Endpoint> endpoints = new HashMap<>();
  private final Set<Link> cut = new HashSet<>();
  private NetworkOptions options;
  private MessageFilter filter = (from, to, message) -> false;
  private long sent;
  private long dropped;
  private long delivered;

  public SimulatedNetwork(SimulatedEventQueue queue, Random random, NetworkOptions options) {
    this.queue = queue;
    this.random = random;
    this.options = Objects.requireNonNull(options, "options");
  }

  void register(NodeId node, Endpoint endpoint) {
    endpoints.put(node, endpoint);
  }

  public NetworkOptions options() {
    return options;
  }

  public void setOptions(NetworkOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public void setFilter(MessageFilter filter) {
    this.filter = Objects.requireNonNull(filter, "filter");
  }

  /** The sink a node's protocol sends through. */
  public PeerSink sinkFor(NodeId from) {
    return (to, message) -> send(from, to, message);
  }

  // ---- partitions ---------------------------------------------------------------------------

  /** Cuts every link between {@code side} and the other nodes, both ways. */
  public void partition(Collection<NodeId> side) {
    for (NodeId a : side) {
      for (NodeId b : endpoints.keySet()) {
        if (!side.contains(b)) {
          cutLink(a, b);
        }
      }
    }
  }

  /** Cuts the link between two nodes, both ways. */
  public void cutLink(NodeId a, NodeId b) {
    cut.add(new Link(a, b));
    cut.add(new Link(b, a));
  }

  /** Cuts messages from {@code from} to {@code to} only. */
  public void cutOneWay(NodeId from, NodeId to) {
    cut.add(new Link(from, to));
  }

  public void heal() {
    cut.clear();
  }

  public boolean connected(NodeId from, NodeId to) {
    return !cut.contains(new Link(from, to));
  }

  // ---- peer messages ------------------------------------------------------------------------

  private void send(NodeId from, NodeId to, Envelope message) {
    if (from.equals(to)) {
      throw new IllegalStateException(from + " sent itself a message through the network");
    }
    sent++;
    byte[] bytes = message.toByteArray();
    // Draw the randomness first so a partition or filter does not shift the seed's stream.
    boolean randomDrop = random.nextDouble() < options.dropProbability();
    long delay = delay();
    if (randomDrop || !connected(from, to) || !endpoints.containsKey(to)
        || filter.drop(from, to, message)) {
      dropped++;
      return;
    }
    String label =
        "net " + from + ">" + to + " " + message.getBodyCase() + " " + Arrays.hashCode(bytes);
    queue.schedule(delay, label, () -> deliver(from, to, bytes));
  }

  private void deliver(NodeId from, NodeId to, byte[] bytes) {
    Endpoint endpoint = endpoints.get(to);
    if (!connected(from, to) || !endpoint.isUp()) {
      dropped++;
      return;
    }
    delivered++;
    endpoint.receivePeer(from, parse(bytes));
  }

  private long delay() {
    boolean slow = random.nextDouble() < options.slowProbability();
    long max = slow ? options.slowMaxDelayMillis() : options.maxDelayMillis();
    return random.nextLong(options.minDelayMillis(), max + 1);
  }

  // ---- client links -------------------------------------------------------------------------

  /**
   * Sends a client's request to {@code node}; {@code onResponse} gets the node's answer, parsed from
   * bytes, after a delay. Nothing comes back if the node is down when the request arrives.
   */
  void sendFromClient(
      String client, NodeId node, Envelope request, Consumer<Envelope> onResponse) {
    Endpoint endpoint = endpoints.get(node);
    if (endpoint == null) {
      throw new IllegalArgumentException("no node " + node);
    }
    byte[] bytes = request.toByteArray();
    String label = "client " + client + ">" + node + " " + request.getBodyCase() + " "
        + Arrays.hashCode(bytes);
    queue.schedule(
        delay(),
        label,
        () -> {
          if (!endpoint.isUp()) {
            return;
          }
          endpoint.receiveClient(
              parse(bytes),
              response -> {
                byte[] out = response.toByteArray();
                queue.schedule(
                    delay(),
                    "client " + node + ">" + client + " " + response.getBodyCase() + " "
                        + Arrays.hashCode(out),
                    () -> onResponse.accept(parse(out)));
              });
        });
  }

  private static Envelope parse(byte[] bytes) {
    try {
      return Envelope.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an envelope did not survive its own encoding", e);
    }
  }

  public long sent() {
    return sent;
  }

  public long dropped() {
    return dropped;
  }

  public long delivered() {
    return delivered;
  }
}

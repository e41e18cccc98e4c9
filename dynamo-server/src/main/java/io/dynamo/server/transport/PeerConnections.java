package io.dynamo.server.transport;

import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.PeerSink;
import io.dynamo.netty.EnvelopeCodec;
import io.dynamo.netty.FrameLimits;
import io.dynamo.netty.NettyRuntime;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.PeerHello;
import io.dynamo.server.config.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outbound connections to the other nodes, one per peer, opened on first use. Messages sent while
 * a connection is being opened wait in a bounded queue; when a peer cannot be reached they are
 * dropped (the protocol's timeouts cope) and reconnection waits a short backoff. A peer that does
 * not keep up (its connection's outbound buffer past the high-water mark) gets no more requests
 * until it drains: they are dropped and counted, and the operations that sent them count that peer
 * as not answering, as if it were slow. Answers and heartbeats are never dropped, so a busy peer is
 * not declared down for want of heartbeats and work already done is not lost.
 */
public final class PeerConnections implements PeerSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerConnections.class);
  private static final int MAX_QUEUED = 10_000;
  private static final long RECONNECT_BACKOFF_NANOS = 200_000_000L;

  private final NodeId self;
  private final Function<NodeId, HostPort> addresses;
  private final Bootstrap bootstrap;
  private final LongSupplier nanoTime;
  private final Map<NodeId, Peer> peers = new HashMap<>();
  private final Map<NodeId, Long> incarnations = new HashMap<>();
  private final long incarnation;
  private final LongAdder dropped = new LongAdder();
  /** Whether hellos say this node is joining (connections to seeds). */
  private final boolean joining;

  public PeerConnections(
      NodeId self,
      Function<NodeId, HostPort> addresses,
      EventLoopGroup group,
      FrameLimits limits,
      LongSupplier nanoTime,
      long incarnation,
      int writeBufferBytes) {
    this(self, addresses, group, limits, nanoTime, incarnation, writeBufferBytes, false);
  }

  /** @param joining whether the hellos say this node is not in the cluster yet (to its seeds) */
  public PeerConnections(
      NodeId self,
      Function<NodeId, HostPort> addresses,
      EventLoopGroup group,
      FrameLimits limits,
      LongSupplier nanoTime,
      long incarnation,
      int writeBufferBytes,
      boolean joining) {
    this.joining = joining;
    this.self = self;
    this.incarnation = incarnation;
    this.addresses = addresses;
    this.nanoTime = nanoTime;
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NettyRuntime.clientChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(writeBufferBytes / 2, writeBufferBytes))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    // Peers answer over their own connections, so these are quiet by design.
                    EnvelopeCodec.install(ch.pipeline(), limits.withoutIdleTimeout());
                    ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                      @Override
                      public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        // Peers answer over their own connections; nothing should arrive here.
                      }

                      @Override
                      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        log.debug("peer connection failed: {}", cause.getMessage());
                        ctx.close();
                      }
                    });
                  }
                });
  }

  @Override
  public synchronized void send(NodeId to, Envelope message) {
    Peer peer = peers.computeIfAbsent(to, Peer::new);
    peer.send(message);
  }

  private static boolean isRequest(Envelope message) {
    return message.hasReplicaReadRequest() || message.hasReplicaWriteRequest() || message.hasForwardRequest();
  }

  /** Messages dropped because their peer was not keeping up. */
  public long dropped() {
    return dropped.sum();
  }

  /**
   * A peer opened a connection to us, saying which incarnation of its process it is. If it is a
   * new one, the peer restarted, and our connection to its old process may still look open while
   * reaching nothing: drop it, so the next message opens a new one.
   */
  public synchronized void peerHello(NodeId peer, long incarnation) {
    Long before = incarnations.put(peer, incarnation);
    Peer p = peers.get(peer);
    if (before != null && before != incarnation && p != null && p.channel != null) {
      log.debug("peer {} restarted; reconnecting", peer);
      p.channel.close();
      p.channel = null;
    }
  }

  /**
   * Closes and forgets the connections to nodes not in {@code members}: they left the cluster.
   * Connections to new members open on the first message to them.
   */
  public synchronized void retainOnly(Collection<NodeId> members) {
    peers.entrySet().removeIf(
        e -> {
          if (members.contains(e.getKey())) {
            return false;
          }
          if (e.getValue().channel != null) {
            e.getValue().channel.close();
          }
          return true;
        });
    incarnations.keySet().retainAll(members);
  }

  @Override
  public synchronized void close() {
    for (Peer p : peers.values()) {
      if (p.channel != null) {
        p.channel.close();
      }
    }
    peers.clear();
  }

  private final class Peer {
    private final NodeId id;
    private final ArrayDeque<Envelope> queue = new ArrayDeque<>();
    private Channel channel;
    private boolean connecting;
    private long retryAfterNanos;

    Peer(NodeId id) {
      this.id = id;
    }

    void send(Envelope message) {
      if (channel != null && channel.isActive()) {
        // Only requests: answers (and heartbeats) are bounded by the requests that caused them,
        // and dropping an answer would fail an operation that has done its work.
        if (!channel.isWritable() && isRequest(message)) {
          dropped.increment();
          return;
        }
        channel.writeAndFlush(message, channel.voidPromise());
        return;
      }
      if (!connecting && nanoTime.getAsLong() - retryAfterNanos < 0) {
        return; // recently unreachable: drop, the coordinator's deadline handles it
      }
      if (queue.size() < MAX_QUEUED) {
        queue.add(message);
      }
      if (!connecting) {
        connect();
      }
    }

    private void connect() {
      HostPort address = addresses.apply(id);
      if (address == null) {
        log.warn("no address known for peer {}", id);
        queue.clear();
        return;
      }
      connecting = true;
      ChannelFuture f = bootstrap.connect(address.toSocketAddress());
      f.addListener(done -> onConnected(f));
    }

    private void onConnected(ChannelFuture f) {
      synchronized (PeerConnections.this) {
        connecting = false;
        if (!f.isSuccess()) {
          log.debug("cannot reach peer {}: {}", id, f.cause().getMessage());
          retryAfterNanos = nanoTime.getAsLong() + RECONNECT_BACKOFF_NANOS;
          queue.clear();
          return;
        }
        channel = f.channel();
        channel.write(
            Replies.envelope(0)
                .setPeerHello(
                    PeerHello.newBuilder()
                        .setNodeId(self.value())
                        .setIncarnation(incarnation)
                        .setJoining(joining))
                .build(),
            channel.voidPromise());
        while (!queue.isEmpty()) {
          channel.write(queue.poll(), channel.voidPromise());
        }
        channel.flush();
        channel.closeFuture().addListener(closed -> onClosed(f.channel()));
      }
    }

    private void onClosed(Channel closed) {
      synchronized (PeerConnections.this) {
        if (channel == closed) {
          channel = null;
          log.debug("connection to peer {} closed", id);
        }
      }
    }
  }
}

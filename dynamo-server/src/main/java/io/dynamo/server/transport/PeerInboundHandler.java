package io.dynamo.server.transport;

import io.dynamo.core.log.RateLimitedLog;
import io.dynamo.core.log.Untrusted;
import io.dynamo.core.ring.NodeId;
import io.dynamo.netty.EnvelopeCodec;
import io.dynamo.netty.PendingFrameBudget;
import io.dynamo.proto.v1.Envelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives another node's messages. The first frame must say who is sending ({@code PeerHello});
 * every later one is handed to the node as a message from that peer.
 */
public final class PeerInboundHandler extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger log = LoggerFactory.getLogger(PeerInboundHandler.class);
  /** Anyone can connect to the peer port: what they send is warned about at a bounded rate. */
  private static final RateLimitedLog warnings =
      RateLimitedLog.of(log, () -> System.nanoTime() / 1_000_000);

  private final Predicate<NodeId> isMember;
  private final BiConsumer<NodeId, Long> onHello;
  private final BiConsumer<NodeId, Envelope> node;
  private final PendingFrameBudget peerBudget;
  private NodeId peer;

  /**
   * @param onHello told when a peer opens a connection, with the incarnation of its process
   * @param peerBudget the budget for incomplete frames that the connection moves to once its
   *     sender has said which member it is (until then it shares the budget of client connections)
   */
  public PeerInboundHandler(
      Predicate<NodeId> isMember,
      BiConsumer<NodeId, Long> onHello,
      BiConsumer<NodeId, Envelope> node,
      PendingFrameBudget peerBudget) {
    this.peerBudget = peerBudget;
    this.isMember = isMember;
    this.onHello = onHello;
    this.node = node;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope message) {
    if (peer != null) {
      node.accept(peer, message);
      return;
    }
    if (!message.hasPeerHello()) {
      warnings.warn("no-hello", "closing peer connection from {}: first frame was {}, not a hello",
          ctx.channel().remoteAddress(), message.getBodyCase());
      ctx.close();
      return;
    }
    NodeId claimed;
    try {
      claimed = NodeId.of(message.getPeerHello().getNodeId());
    } catch (IllegalArgumentException e) {
      claimed = null;
    }
    if (claimed == null || !isMember.test(claimed)) {
      warnings.warn("not-a-member", "closing peer connection from {}: '{}' is not a member",
          ctx.channel().remoteAddress(), Untrusted.escape(message.getPeerHello().getNodeId()));
      ctx.close();
      return;
    }
    peer = claimed;
    // From now on its memory comes from the peers' own budget, and it may be quiet for long
    // stretches (only one of a node's connections carries heartbeats).
    EnvelopeCodec.trustAsPeer(ctx.channel(), peerBudget);
    log.debug("peer {} connected from {}", peer, ctx.channel().remoteAddress());
    onHello.accept(peer, message.getPeerHello().getIncarnation());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    FrameErrors.handle(ctx, cause);
  }
}

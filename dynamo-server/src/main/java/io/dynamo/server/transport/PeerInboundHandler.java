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
  /** Whether this node takes gossip from any node (it has no ring yet, so it knows nobody). */
  private final java.util.function.BooleanSupplier acceptsStrangers;
  private final BiConsumer<NodeId, Long> onHello;
  private final BiConsumer<NodeId, Envelope> node;
  private final PendingFrameBudget peerBudget;
  private NodeId peer;
  /**
   * A node that said who it is but is not known to this one yet (a new node gossiping with its
   * seeds): only its gossip is taken, on the budget of unidentified connections, until the
   * cluster state gives it an address; then it is a peer like any other.
   */
  private NodeId stranger;
  private long strangerIncarnation;

  /**
   * @param onHello told when a peer opens a connection, with the incarnation of its process
   * @param peerBudget the budget for incomplete frames that the connection moves to once its
   *     sender has said which member it is (until then it shares the budget of client connections)
   */
  public PeerInboundHandler(
      Predicate<NodeId> isMember,
      java.util.function.BooleanSupplier acceptsStrangers,
      BiConsumer<NodeId, Long> onHello,
      BiConsumer<NodeId, Envelope> node,
      PendingFrameBudget peerBudget) {
    this.peerBudget = peerBudget;
    this.isMember = isMember;
    this.acceptsStrangers = acceptsStrangers;
    this.onHello = onHello;
    this.node = node;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope message) {
    if (peer != null) {
      node.accept(peer, message);
      return;
    }
    if (stranger != null) {
      if (isMember.test(stranger)) {
        accept(ctx, stranger, strangerIncarnation);
        node.accept(peer, message);
      } else if (message.hasGossipDigest() || message.hasGossipDelta()) {
        node.accept(stranger, message);
      } else {
        warnings.warn("stranger", "ignoring {} from {}, which is not known to this node yet",
            message.getBodyCase(), stranger);
      }
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
    if (claimed == null) {
      warnings.warn("bad-hello", "closing peer connection from {}: invalid node id '{}'",
          ctx.channel().remoteAddress(), Untrusted.escape(message.getPeerHello().getNodeId()));
      ctx.close();
      return;
    }
    if (!isMember.test(claimed)) {
      if (!message.getPeerHello().getJoining() && !acceptsStrangers.getAsBoolean()) {
        warnings.warn("not-a-member", "closing peer connection from {}: '{}' is not a member",
            ctx.channel().remoteAddress(), Untrusted.escape(message.getPeerHello().getNodeId()));
        ctx.close();
        return;
      }
      stranger = claimed;
      strangerIncarnation = message.getPeerHello().getIncarnation();
      return;
    }
    accept(ctx, claimed, message.getPeerHello().getIncarnation());
  }

  private void accept(ChannelHandlerContext ctx, NodeId claimed, long incarnation) {
    stranger = null;
    peer = claimed;
    // From now on its memory comes from the peers' own budget, and it may be quiet for long
    // stretches (only one of a node's connections carries heartbeats).
    EnvelopeCodec.trustAsPeer(ctx.channel(), peerBudget);
    log.debug("peer {} connected from {}", peer, ctx.channel().remoteAddress());
    onHello.accept(peer, incarnation);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    FrameErrors.handle(ctx, cause);
  }
}

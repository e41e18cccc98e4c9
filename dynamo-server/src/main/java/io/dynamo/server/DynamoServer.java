package io.dynamo.server;

import io.dynamo.core.antientropy.AntiEntropyService;
import io.dynamo.core.antientropy.PartitionTrees;
import io.dynamo.core.cluster.ClusterState;
import io.dynamo.core.cluster.ClusterStateStore;
import io.dynamo.core.cluster.NodeEntry;
import io.dynamo.core.membership.ClusterViews;
import io.dynamo.core.membership.FailureDetector;
import io.dynamo.core.membership.MembershipAdmin;
import io.dynamo.core.membership.MembershipService;
import io.dynamo.core.transfer.TransferService;
import io.dynamo.core.transfer.TransferSettings;
import io.dynamo.core.monitor.PeerHealth;
import io.dynamo.core.monitor.PeerVerdicts;
import io.dynamo.core.node.NodeProtocol;
import io.dynamo.core.node.Replies;
import io.dynamo.core.node.ShardRouter;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import io.dynamo.core.storage.DotCounter;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.view.ClusterView;
import io.dynamo.core.view.ViewHolder;
import io.dynamo.netty.EnvelopeCodec;
import io.dynamo.netty.FrameLimits;
import io.dynamo.netty.NettyRuntime;
import io.dynamo.netty.PendingFrameBudget;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.StatusCode;
import io.dynamo.server.config.ConfigException;
import io.dynamo.server.config.ConfigLoader;
import io.dynamo.server.config.HostPort;
import io.dynamo.server.config.MemberConfig;
import io.dynamo.server.config.NetworkLimits;
import io.dynamo.server.config.NodeConfig;
import io.dynamo.server.metrics.NodeMetrics;
import io.dynamo.server.metrics.NodeSources;
import io.dynamo.server.metrics.ProtocolSnapshot;
import io.dynamo.server.storage.RocksDbStorageEngine;
import io.dynamo.server.transport.Admission;
import io.dynamo.server.transport.ClientRequestHandler;
import io.dynamo.server.transport.PeerConnections;
import io.dynamo.server.transport.PeerInboundHandler;
import io.dynamo.server.transport.ShedLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Dynamo node: RocksDB storage, the protocol sharded over the I/O event loops, and two Netty listeners, one for
 * clients and one for peers. {@code main} runs one from a properties file until SIGTERM.
 */
public final class DynamoServer implements AutoCloseable {
  private final AntiEntropyService antiEntropy;
  private static final Logger log = LoggerFactory.getLogger(DynamoServer.class);
  /** Storage tasks queued beyond this many are refused (the request fails) instead of piling up. */
  private static final int STORAGE_QUEUE = 10_000;

  private final NodeConfig config;
  private final RocksDbStorageEngine storage;
  private final ProtocolShards shards;
  private final NodeProtocol[] protocols;
  private final ShardRouter router;
  /** The cluster this node follows, shared by its shards; see {@link #changeView}. */
  private final ViewHolder views;
  /**
   * The cluster's ring version (the claimant's decisions) of the view this node serves from, the
   * same on every node that applied it: what answers to clients carry, so partition-aware clients
   * notice their map is older (unlike view versions, which each node numbers itself).
   */
  private volatile long ringVersion;
  /** Answers partition-aware clients' requests for the cluster map. */
  private final ClusterMapReporter clusterMap;
  /** Numbers the views this node follows; each new ring or address change takes the next. */
  private final java.util.concurrent.atomic.AtomicLong viewVersions;
  /** This node's membership (gossip, moves, operator changes); runs on shard 0. */
  private final MembershipService membership;
  /** Connections to seeds, known only by address until they answer. */
  private final PeerConnections seeds;
  private static final String SEED_PREFIX = "seed:";
  private final StatusReporter status;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final PeerConnections[] peers;
  private final Channel clientChannel;
  private final Channel peerChannel;
  /** The node's meters; the HTTP listener only with {@code listen.metrics}. */
  private final NodeMetrics metrics;
  /** The cluster dashboard on the metrics listener; null without one. */
  private final io.dynamo.server.dashboard.DashboardEndpoint dashboard;
  private final Admission admission;
  private final long staleAfterNanos;
  private final ShedLog shedLog = new ShedLog(System::nanoTime, 10_000_000_000L);
  private final CountDownLatch closed = new CountDownLatch(1);
  /** Every accepted connection, closed explicitly on shutdown so peers see the node go. */
  private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  /**
   * Limits of client connections, and of peer-port connections until they say which member they
   * are: anyone who can connect shares this budget for incomplete frames.
   */
  private final FrameLimits clientLimits;
  /**
   * Limits of connections to and from peers, with a budget of their own: however many clients
   * send slow frames, peer traffic (heartbeats included) always has memory to be read into.
   */
  private final FrameLimits peerLimits;
  private volatile boolean closing;

  private DynamoServer(NodeConfig config) {
    this.config = config;
    this.admission = new Admission(config.requestLimits());
    this.staleAfterNanos = config.protocol().requestTimeoutMillis() * 1_000_000L;
    long started = System.nanoTime();
    NetworkLimits network = config.network();
    this.clientLimits =
        new FrameLimits(
            config.maxFrameBytes(), network.idleTimeout(), network.frameStallTimeout(),
            new PendingFrameBudget(
                "client (and not yet identified) connections", network.maxPendingFrameBytes()));
    this.peerLimits =
        new FrameLimits(
            config.maxFrameBytes(), network.idleTimeout(), network.frameStallTimeout(),
            new PendingFrameBudget("peer connections", network.maxPendingFrameBytes()));
    this.storage =
        RocksDbStorageEngine.open(
            config.dataDir(), config.syncWrites(), config.writeAheadLog(), config.storageTuning());
    ClusterStateStore stateStore = new ClusterStateStore(storage);
    // The wall clock orders this start's entry above every earlier start's, even after disk loss.
    NodeEntry selfEntry = ClusterBootstrap.selfEntry(config, System.currentTimeMillis());
    ClusterState initialState;
    try {
      initialState = ClusterBootstrap.initial(config, stateStore.load().orElse(ClusterState.EMPTY));
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
    Map<NodeId, ClusterView.Addresses> fileAddresses = ClusterBootstrap.fileAddresses(config);
    this.bossGroup = NettyRuntime.newGroup(1, "accept");
    this.workerGroup = NettyRuntime.newGroup(config.ioThreads(), "io");
    this.shards =
        new ProtocolShards(
            workerGroup, config.storageThreads(), STORAGE_QUEUE, config.shutdownGrace(), storage);
    this.views =
        new ViewHolder(
            initialState.ring().table() == null
                ? ClusterBootstrap.unjoined(selfEntry)
                : ClusterViews.of(initialState.with(selfEntry), 1, fileAddresses));
    this.viewVersions = new java.util.concurrent.atomic.AtomicLong(views.current().version());
    this.ringVersion = initialState.ring().version();
    this.router = new ShardRouter(() -> views.current().ring(), shards.count());
    // Distinct per process start: wall-clock nanos are enough (restarts are seconds apart).
    long incarnation = System.currentTimeMillis() * 1_000_000 + (System.nanoTime() % 1_000_000);
    PartitionTrees trees = new PartitionTrees();
    LocalReplica replica =
        new LocalReplica(
            storage, config.protocol().maxClockEntries(), DotCounter.DEFAULT_LEASE_BLOCK,
            bucket -> config.buckets().propertiesOf(bucket).keyLimits(), trees,
            new java.security.SecureRandom()::nextLong);
    PeerHealth health = PeerHealth.of(new FailureDetector(config.nodeId(), config.failureDetector()));
    PeerVerdicts verdicts = new PeerVerdicts();
    this.peers = new PeerConnections[shards.count()];
    this.protocols = new NodeProtocol[shards.count()];
    for (int i = 0; i < shards.count(); i++) {
      ProtocolShards.Shard shard = shards.shard(i);
      // Each shard has its own connection to each peer, on its own loop: a send is a write on
      // the current thread, never a hand-off.
      peers[i] =
          new PeerConnections(
              config.nodeId(),
              id -> {
                String address = views.current().peerAddress(id);
                return address == null || address.isEmpty() ? null : HostPort.parse(address);
              },
              shard.loop(),
              peerLimits,
              System::nanoTime,
              incarnation,
              config.requestLimits().peerWriteBufferBytes());
      protocols[i] =
          new NodeProtocol(
              config.nodeId(),
              views,
              config.buckets(),
              config.protocol(),
              new SystemClock(),
              shard,
              peers[i],
              shard,
              replica,
              health,
              i,
              shards.count(),
              verdicts);
    }
    ProtocolShards.Shard home = shards.shard(0);
    this.seeds =
        new PeerConnections(
            config.nodeId(),
            id -> HostPort.parse(id.value().substring(SEED_PREFIX.length())),
            home.loop(),
            peerLimits,
            System::nanoTime,
            incarnation,
            config.requestLimits().peerWriteBufferBytes(),
            true);
    TransferService transfers =
        new TransferService(
            config.nodeId(), TransferSettings.DEFAULTS, replica,
            bucket -> config.buckets().propertiesOf(bucket, views.current().bucketDefaults()).conflictMode(),
            TransferService.SourcePolicy.ANY, new SystemClock(), home, home, peers[0]);
    this.membership =
        new MembershipService(
            selfEntry, initialState,
            config.seeds().stream().map(HostPort::toString).toList(),
            MembershipService.Settings.DEFAULT, new java.util.Random(), stateStore,
            new SystemClock(), home, home, peers[0],
            (address, message) -> seeds.send(NodeId.of(SEED_PREFIX + address), message),
            protocols[0]::isUp, transfers,
            state -> {
              changeView(ClusterViews.of(state, nextViewVersion(), fileAddresses));
              ringVersion = state.ring().version();
            });
    protocols[0].attach(membership, new MembershipAdmin(membership, home, storage));
    this.antiEntropy =
        new AntiEntropyService(
            config.nodeId(), config.antiEntropy(), replica, trees,
            bucket -> config.buckets().propertiesOf(bucket, views.current().bucketDefaults()).conflictMode(),
            views::current, view -> config.buckets().maxN(view.bucketDefaults()),
            protocols[0]::isUp, new SystemClock(), home, home, peers[0]);
    protocols[0].attachAntiEntropy(antiEntropy);
    this.status =
        new StatusReporter(
            config, protocols[0], replica, () -> (System.nanoTime() - started) / 1_000_000,
            id -> {
              io.dynamo.core.cluster.MemberStatus s =
                  membership.state().status(id);
              return s == null ? "" : s.name().toLowerCase(java.util.Locale.ROOT);
            });
    this.clusterMap = new ClusterMapReporter(protocols[0], config.buckets(), () -> ringVersion);
    home.execute(protocols[0]::start);
    this.metrics = new NodeMetrics(config.nodeId(), config.taggedBuckets());
    try {
      metrics.bindNode(nodeSources(replica));
      metrics.bindStorage(storage);
      metrics.bindProtocol(
          home::execute,
          () -> new ProtocolSnapshot(
              protocols[0].peerViews(),
              protocols[0].antiEntropy() == null ? null : protocols[0].antiEntropy().status(),
              transfers.stats(), transfers.incoming(), membership.state()),
          replica, System::currentTimeMillis);
      // Peers answer on their own outbound connections: what this node writes on an accepted
      // peer connection is nothing but its hello's echo, so the default mark does there.
      this.peerChannel =
          bind(config.peerListen(), peerInitializer(), WriteBufferWaterMark.DEFAULT.high());
      this.clientChannel =
          bind(
              config.clientListen(), clientInitializer(),
              config.requestLimits().clientWriteBufferBytes());
      if (config.metricsListen() != null) {
        metrics.serve(config.metricsListen());
        this.dashboard = dashboard(metrics, replica);
      } else {
        this.dashboard = null;
      }
    } catch (RuntimeException e) {
      shutdown();
      throw e;
    } catch (java.io.IOException e) {
      shutdown();
      throw new java.io.UncheckedIOException("cannot serve metrics on " + config.metricsListen(), e);
    }
    log.info(
        "node {} serving clients on {} and peers on {} ({} transport, {} partitions, {} members)",
        config.nodeId(), clientAddress(), peerAddress(), NettyRuntime.epoll() ? "epoll" : "nio",
        views.current().ring().partitions(), views.current().members().size());
    log.info("{} protocol shards on the I/O loops; storage {}", shards.count(),
        config.storageThreads() == 0 ? "on the shard loops" : "on " + config.storageThreads() + " threads");
  }

  /** The view of the cluster this node follows. */
  public ClusterView view() {
    return views.current();
  }

  /**
   * The cluster changed: if {@code next} is newer than the current view, every shard follows it
   * (requests, heartbeats, handoff; see {@link NodeProtocol#onViewChanged}), connections to members
   * it no longer has are closed, new members are reached at the addresses it gives, and only its
   * members' hellos are accepted. Returns whether the view was taken. Safe from any thread.
   */
  public boolean changeView(ClusterView next) {
    if (!views.swap(next)) {
      return false;
    }
    log.info("node {} follows view {} ({} members)", config.nodeId(), next.version(), next.members().size());
    for (int i = 0; i < shards.count(); i++) {
      int shard = i;
      shards.shard(i).execute(
          () -> {
            peers[shard].retainOnly(next.known());
            protocols[shard].onViewChanged(next);
          });
    }
    return true;
  }

  /**
   * The version of the next view membership derives. A view installed by hand with {@link
   * #changeView} at a higher version (tests) stays until membership's numbers pass it.
   */
  private long nextViewVersion() {
    return viewVersions.incrementAndGet();
  }

  /** Starts a node; returns once both listeners are bound. */
  public static DynamoServer start(NodeConfig config) {
    return new DynamoServer(config);
  }

  public NodeId nodeId() {
    return config.nodeId();
  }

  public InetSocketAddress clientAddress() {
    return (InetSocketAddress) clientChannel.localAddress();
  }

  public InetSocketAddress peerAddress() {
    return (InetSocketAddress) peerChannel.localAddress();
  }

  private NodeSources nodeSources(LocalReplica replica) {
    return new NodeSources(
        admission,
        () -> replica.failures().count(),
        () -> sum(NodeProtocol::missedAckHints),
        () -> sum(NodeProtocol::keysPastWarning),
        () -> {
          long n = 0;
          for (PeerConnections p : peers) {
            n += p.dropped();
          }
          return n;
        },
        this::clientPendingFrameBytes,
        this::peerPendingFrameBytes,
        op -> sum(p -> p.coordinatorCounters().forwarded(op)),
        () -> sum(p -> p.coordinatorCounters().speculativeReads()),
        shards::storageQueueDepth,
        shards.count(),
        shards::pendingTasks,
        () -> views.current().version());
  }

  private long sum(java.util.function.ToLongFunction<NodeProtocol> f) {
    long n = 0;
    for (NodeProtocol p : protocols) {
      n += f.applyAsLong(p);
    }
    return n;
  }

  /** Client requests admitted and not yet answered, node-wide. */
  public int admittedInFlight() {
    return admission.inFlight();
  }

  /** Bytes client connections hold in incomplete frames now (bounded by network.max-pending-frame-bytes). */
  public long clientPendingFrameBytes() {
    return clientLimits.budget().held();
  }

  /** Bytes peer connections hold in incomplete frames now; a budget of their own. */
  public long peerPendingFrameBytes() {
    return peerLimits.budget().held();
  }

  /** The dashboard asks this node what an operator's CLI would, through the client path. */
  private io.dynamo.server.dashboard.DashboardEndpoint dashboard(
      NodeMetrics endpoint, LocalReplica replica) {
    io.dynamo.server.dashboard.DashboardEndpoint d =
        new io.dynamo.server.dashboard.DashboardEndpoint(
            request -> {
              java.util.concurrent.CompletableFuture<Envelope> answer =
                  new java.util.concurrent.CompletableFuture<>();
              onClientRequest(request, answer::complete);
              return answer;
            },
            replica::hintQueues, endpoint.registry(), new SystemClock(),
            io.dynamo.server.dashboard.DashboardEndpoint.DEFAULT_INTERVAL);
    d.register(endpoint::handle);
    return d;
  }

  /** Where metrics are served, or null when no endpoint is configured. */
  public InetSocketAddress metricsAddress() {
    return metrics.address();
  }

  /**
   * The node's meter registry (docs/metrics.md), there whether or not {@code listen.metrics} is
   * set: request timers, counters, gauges, JVM meters, every one tagged with the node's id.
   */
  public MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  /**
   * The node's metrics: its registry, and {@link NodeMetrics#handle} to serve more paths on the
   * HTTP listener beside {@code /metrics}.
   */
  public NodeMetrics metrics() {
    return metrics;
  }

  private Channel bind(
      HostPort address, ChannelInitializer<SocketChannel> initializer, int writeBufferBytes) {
    return new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(NettyRuntime.serverChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(
            ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(writeBufferBytes / 2, writeBufferBytes))
        .childHandler(initializer)
        .bind(address.toSocketAddress())
        .syncUninterruptibly()
        .channel();
  }

  private ChannelInitializer<SocketChannel> clientInitializer() {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        accepted.add(ch);
        EnvelopeCodec.install(ch.pipeline(), clientLimits);
        ch.pipeline()
            .addLast("requests", new ClientRequestHandler(
                    DynamoServer.this::onClientRequest, admission, shedLog,
                    config.network().frameStallTimeout().toMillis(), metrics.requests()));
      }
    };
  }

  private ChannelInitializer<SocketChannel> peerInitializer() {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        accepted.add(ch);
        // Until the sender proves to be a peer (PeerInboundHandler), it is treated like a client:
        // idle timeout, and the clients' budget, so that no stranger can take the peers' memory.
        EnvelopeCodec.install(ch.pipeline(), clientLimits);
        ch.pipeline()
            .addLast(
                "peer",
                new PeerInboundHandler(
                    id -> views.current().known().contains(id),
                    () -> views.current().version() == 0,
                    (peer, incarnation) -> {
                      for (PeerConnections p : peers) {
                        p.peerHello(peer, incarnation);
                      }
                    },
                    (from, message) -> {
                      int i = router.shardOfPeerMessage(message);
                      shards.shard(i).execute(() -> protocols[i].onPeerMessage(from, message));
                    },
                    peerLimits.budget()));
      }
    };
  }

  private void onClientRequest(Envelope request, Consumer<Envelope> answer) {
    if (request.hasStatusRequest()) {
      shards.shard(0).execute(() -> answer.accept(status.status(request.getRequestId())));
      return;
    }
    if (request.hasClusterMapRequest()) {
      shards.shard(0).execute(() -> answer.accept(clusterMap.map(request.getRequestId())));
      return;
    }
    Consumer<Envelope> reply = isData(request) ? stampRingVersion(answer) : answer;
    // A node without a ring yet has a one-partition placeholder: a partition computed from it would
    // be wrong once the cluster's ring arrives, so the shard computes it when it handles the request.
    int partition =
        views.current().version() == 0
            ? ShardRouter.UNKNOWN_PARTITION
            : router.partitionOfClientRequest(request);
    int i = router.shardOfPartition(partition);
    ProtocolShards.Shard shard = shards.shard(i);
    if (shard.loop().inEventLoop()) {
      protocols[i].onClientRequest(request, partition, reply); // read where it is handled: no wait
      return;
    }
    long received = System.nanoTime();
    shard.execute(() -> {
      // Handed to another loop that was too busy to get to it before its deadline: the client has
      // given up, so doing the work would only deepen the overload.
      if (System.nanoTime() - received > staleAfterNanos) {
        admission.expired();
        reply.accept(
            Replies.error(
                request.getRequestId(), StatusCode.OVERLOADED,
                "overloaded, nothing done: the request waited past its deadline"));
        return;
      }
      protocols[i].onClientRequest(request, partition, reply);
    });
  }

  private static boolean isData(Envelope request) {
    return request.hasGetRequest() || request.hasPutRequest() || request.hasDeleteRequest();
  }

  /** Answers carry the ring version served from (read when answering: it may have changed). */
  private Consumer<Envelope> stampRingVersion(Consumer<Envelope> answer) {
    return response -> {
      long v = ringVersion;
      answer.accept(v == 0 ? response : response.toBuilder().setRingVersion(v).build());
    };
  }

  /** Stops listening, finishes storage work in flight, closes the database. */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    log.info("node {} shutting down", config.nodeId());
    shutdown();
    closed.countDown();
    log.info("node {} stopped", config.nodeId());
  }

  private void shutdown() {
    if (dashboard != null) {
      dashboard.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (clientChannel != null) {
      clientChannel.close().syncUninterruptibly();
    }
    if (peerChannel != null) {
      peerChannel.close().syncUninterruptibly();
    }
    accepted.close().awaitUninterruptibly();
    if (peers != null) {
      for (PeerConnections p : peers) {
        if (p != null) {
          p.close();
        }
      }
    }
    if (seeds != null) {
      seeds.close();
    }
    if (shards != null) {
      shards.close();
    }
    bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    storage.close();
  }

  public static void main(String[] args) throws InterruptedException {
    // Netty samples 1 buffer in 128 for leak tracking by default and records a stack trace on every
    // access to a sampled buffer (0.6 % of node CPU in fill_in_stack_trace alone, in a YCSB
    // profile). Tests keep it on (they run servers in-process, not through main);
    // -Dio.netty.leakDetection.level=... still wins here.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    if (args.length != 1) {
      System.err.println("usage: dynamo-server CONFIG_FILE");
      System.exit(2);
    }
    NodeConfig config;
    try {
      config = ConfigLoader.load(Path.of(args[0]));
    } catch (ConfigException e) {
      System.err.println("configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    DynamoServer server;
    try {
      server = start(config);
    } catch (RuntimeException e) {
      log.error("node {} failed to start: {}", config.nodeId(), e.getMessage(), e);
      System.err.println("failed to start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    server.closed.await();
  }
}

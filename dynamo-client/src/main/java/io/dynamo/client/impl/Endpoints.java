package io.dynamo.client.impl;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client's connections, one per node address: the configured seeds, and the members the
 * cluster map names. A member's connection is opened on first use and closed once the member has
 * left the map, so the set is bounded by the cluster's size plus the seeds.
 */
public final class Endpoints implements AutoCloseable {
  private final Map<String, Endpoint> byAddress = new ConcurrentHashMap<>();
  private final Set<String> seeds;
  private final EventLoopGroup group;
  private final int maxFrameBytes;
  private final int maxInFlightPerNode;
  private final long penaltyNanos;
  private volatile boolean closed;

  public Endpoints(
      List<InetSocketAddress> seeds,
      EventLoopGroup group,
      int maxFrameBytes,
      int maxInFlightPerNode,
      long penaltyNanos) {
    this.group = group;
    this.maxFrameBytes = maxFrameBytes;
    this.maxInFlightPerNode = maxInFlightPerNode;
    this.penaltyNanos = penaltyNanos;
    Set<String> s = new HashSet<>();
    for (InetSocketAddress a : seeds) {
      s.add(key(a));
    }
    this.seeds = Set.copyOf(s);
    for (InetSocketAddress a : seeds) {
      of(a);
    }
  }

  /** The endpoint of {@code address}, created (not yet connected) on first use. */
  public Endpoint of(InetSocketAddress address) {
    return byAddress.computeIfAbsent(
        key(address),
        k -> new Endpoint(
            k,
            new NodeConnection(address, group, maxFrameBytes, maxInFlightPerNode),
            new NodeHealth(penaltyNanos, System::nanoTime)));
  }

  /** The endpoint of a "host:port" address. */
  public Endpoint of(String hostPort) {
    Endpoint e = byAddress.get(hostPort);
    return e != null ? e : of(parse(hostPort));
  }

  /**
   * Closes the connections of nodes that are neither seeds nor in {@code current} (members that
   * left): requests still in flight on them fail and are retried elsewhere.
   */
  public void retainOnly(Collection<String> current) {
    for (Map.Entry<String, Endpoint> e : byAddress.entrySet()) {
      if (!seeds.contains(e.getKey()) && !current.contains(e.getKey())) {
        if (byAddress.remove(e.getKey(), e.getValue())) {
          e.getValue().connection().close();
        }
      }
    }
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    for (Endpoint e : byAddress.values()) {
      e.connection().close();
    }
  }

  /** A "host:port" address; IllegalArgumentException when it is not one. */
  public static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
    }
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static String key(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }
}

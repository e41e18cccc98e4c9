package io.dynamo.server;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.DynamoException;
import io.dynamo.client.NodeStatus;
import io.dynamo.server.config.ConfigLoader;
import io.dynamo.server.config.NodeConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Several real nodes (Netty, RocksDB) in one JVM on loopback, on ephemeral ports, for tests. Nodes
 * can be stopped and restarted on the same data directory and ports.
 */
public final class MiniCluster implements AutoCloseable {
  private final List<Properties> configs = new ArrayList<>();
  private final List<DynamoServer> servers = new ArrayList<>();
  private final List<DynamoClient> clients = new ArrayList<>();
  private final Path baseDir;

  private MiniCluster(int nodes, Path baseDir, Consumer<Properties> customize) {
    this.baseDir = baseDir;
    int[] clientPorts = new int[nodes];
    int[] peerPorts = new int[nodes];
    int[] metricsPorts = new int[nodes];
    try (FreePorts freePorts = new FreePorts()) {
      for (int i = 0; i < nodes; i++) {
        clientPorts[i] = freePorts.next();
        peerPorts[i] = freePorts.next();
        metricsPorts[i] = freePorts.next();
      }
    }
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < nodes; i++) {
      members.append(i == 0 ? "" : ",").append(id(i));
    }
    for (int i = 0; i < nodes; i++) {
      Properties p = new Properties();
      p.setProperty("node.id", id(i));
      p.setProperty("listen.client", "127.0.0.1:" + clientPorts[i]);
      p.setProperty("listen.peer", "127.0.0.1:" + peerPorts[i]);
      p.setProperty("listen.metrics", "127.0.0.1:" + metricsPorts[i]);
      p.setProperty("data.dir", baseDir.resolve(id(i)).toString());
      p.setProperty("ring.partitions", "64");
      p.setProperty("members", members.toString());
      p.setProperty("storage.threads", "2");
      for (int j = 0; j < nodes; j++) {
        p.setProperty("member." + id(j) + ".client", "127.0.0.1:" + clientPorts[j]);
        p.setProperty("member." + id(j) + ".peer", "127.0.0.1:" + peerPorts[j]);
      }
      customize.accept(p);
      configs.add(p);
      servers.add(null);
    }
  }

  public static MiniCluster start(int nodes, Path baseDir) {
    return start(nodes, baseDir, p -> {});
  }

  /** Starts {@code nodes} nodes; {@code customize} may change each node's properties first. */
  public static MiniCluster start(int nodes, Path baseDir, Consumer<Properties> customize) {
    MiniCluster c = new MiniCluster(nodes, baseDir, customize);
    for (int i = 0; i < nodes; i++) {
      c.startNode(i);
    }
    c.awaitMutualView();
    return c;
  }

  /**
   * Configures one more node that finds the cluster through the running nodes' peer addresses (no
   * member list), starts it and returns its index. {@code customize} may change its properties
   * first (e.g. {@code cluster.join=auto}).
   */
  public int addNode(Consumer<Properties> customize) {
    int i = configs.size();
    int clientPort;
    int peerPort;
    try (FreePorts freePorts = new FreePorts()) {
      clientPort = freePorts.next();
      peerPort = freePorts.next();
    }
    StringBuilder seeds = new StringBuilder();
    for (Properties c : configs) {
      seeds.append(seeds.length() == 0 ? "" : ",").append(c.getProperty("listen.peer"));
    }
    Properties p = new Properties();
    p.setProperty("node.id", id(i));
    p.setProperty("listen.client", "127.0.0.1:" + clientPort);
    p.setProperty("listen.peer", "127.0.0.1:" + peerPort);
    p.setProperty("data.dir", baseDir.resolve(id(i)).toString());
    p.setProperty("seeds", seeds.toString());
    p.setProperty("storage.threads", "2");
    customize.accept(p);
    configs.add(p);
    servers.add(null);
    startNode(i);
    return i;
  }

  public static String id(int i) {
    return "n" + (i + 1);
  }

  public int size() {
    return configs.size();
  }

  public void startNode(int i) {
    if (servers.get(i) != null) {
      throw new IllegalStateException(id(i) + " is running");
    }
    NodeConfig config = ConfigLoader.from(configs.get(i), baseDir);
    servers.set(i, DynamoServer.start(config));
  }

  /** Starts node {@code i} again and waits until every running node believes it is up. */
  public void restartNode(int i) {
    startNode(i);
    awaitMutualView();
  }

  /**
   * Waits until every running node believes every running node is up and every stopped node is
   * down, so that a test starts from a settled failure-detector view.
   */
  public void awaitMutualView() {
    List<String> running = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      if (servers.get(i) != null) {
        running.add(id(i));
      }
    }
    List<String> disagreement = new ArrayList<>();
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> viewsAgree(running, disagreement));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "nodes did not agree that exactly " + running + " are up: " + disagreement, e);
    }
  }

  private boolean viewsAgree(List<String> running, List<String> disagreement) {
    disagreement.clear();
    for (int i = 0; i < servers.size(); i++) {
      if (servers.get(i) == null) {
        continue;
      }
      try (DynamoClient c =
          DynamoClient.builder().routing(DynamoClient.Routing.SERVER).node(clientAddress(i)).timeout(Duration.ofSeconds(5)).build()) {
        for (NodeStatus.Member m : c.status().members()) {
          if (m.up() != running.contains(m.nodeId())) {
            disagreement.add(id(i) + " sees " + m.nodeId() + (m.up() ? " up" : " down")
                + " (phi " + m.phi() + ")");
          }
        }
      } catch (DynamoException e) {
        disagreement.add(id(i) + " did not answer status: " + e.getMessage());
      }
    }
    return disagreement.isEmpty();
  }

  public void stopNode(int i) {
    DynamoServer s = servers.set(i, null);
    if (s != null) {
      s.close();
    }
  }

  public DynamoServer node(int i) {
    return servers.get(i);
  }

  public String clientAddress(int i) {
    return configs.get(i).getProperty("listen.client");
  }

  /** Node {@code i}'s Prometheus text from its metrics listener. */
  public String scrapeMetrics(int i) {
    java.net.InetSocketAddress address = node(i).metricsAddress();
    try {
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + address.getPort() + "/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("metrics of node " + i + " answered " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A partition-aware client that learns the cluster from every configured node, closed with the
   * cluster; {@code customize} may change its settings (hedging, timeouts) first.
   */
  public DynamoClient partitionAwareClient(Consumer<DynamoClient.Builder> customize) {
    DynamoClient.Builder b =
        DynamoClient.builder().timeout(Duration.ofSeconds(20)).mapRefresh(Duration.ofSeconds(1));
    for (int i = 0; i < configs.size(); i++) {
      b.node(clientAddress(i));
    }
    customize.accept(b);
    DynamoClient c = b.build();
    clients.add(c);
    return c;
  }

  /** A client that talks to node {@code i} only. */
  public DynamoClient client(int i) {
    DynamoClient c =
        DynamoClient.builder()
            .routing(DynamoClient.Routing.SERVER) // node i only: tests pick the coordinator
            .node(clientAddress(i))
            .timeout(Duration.ofSeconds(20))
            .build();
    clients.add(c);
    return c;
  }

  @Override
  public void close() {
    for (DynamoClient c : clients) {
      c.close();
    }
    for (int i = 0; i < servers.size(); i++) {
      stopNode(i);
    }
  }

  /**
   * Hands out distinct free ports: each stays bound until all are chosen, so the OS cannot give the
   * same port twice.
   */
  private static final class FreePorts implements AutoCloseable {
    private final List<ServerSocket> held = new ArrayList<>();

    int next() {
      try {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        return s.getLocalPort();
      } catch (IOException e) {
        throw new IllegalStateException("no free port", e);
      }
    }

    @Override
    public void close() {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException e) {
          // nothing bound any more either way
        }
      }
    }
  }
}

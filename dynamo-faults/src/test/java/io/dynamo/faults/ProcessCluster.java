package io.dynamo.faults;

import io.dynamo.client.DynamoClient;
import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A cluster of real node processes on 127.0.0.1, driven through {@code scripts/cluster.sh} in a
 * directory of its own: start, {@code kill -9}, restart, pause (SIGSTOP), resume, stop. Settings
 * go to every node with {@code --set}. {@link #close()} stops the nodes, kills any that are left
 * (also from a JVM shutdown hook) and deletes their data, keeping configs and logs for a look
 * after a failure.
 *
 * <pre>{@code
 * try (ProcessCluster cluster = ProcessCluster.builder().nodes(5).set("handoff.enabled", "false").start()) {
 *   cluster.kill("n2");
 *   cluster.client().put(...);
 * }
 * }</pre>
 */
public final class ProcessCluster implements AutoCloseable {
  /** A failure detector fast enough for tests: a node is seen down within about two seconds. */
  public static final Map<String, String> FAST_DETECTOR =
      Map.of(
          "failure-detector.heartbeat-interval", "200ms",
          "failure-detector.acceptable-pause", "1s",
          "request.timeout", "2s");

  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);

  private final Path checkout;
  private final Path dir;
  private final int size;
  private final Map<String, String> settings;
  private final Duration clientTimeout;
  private final List<String> ids = new ArrayList<>();
  private final Map<String, String> clientAddresses = new LinkedHashMap<>();
  private final List<DynamoClient> clients = new ArrayList<>();
  private final Thread killOnExit = new Thread(this::killLeftovers, "process-cluster-kill");
  private final java.util.Set<String> paused = new java.util.HashSet<>();
  private DynamoClient all;
  private boolean closed;

  private ProcessCluster(Builder b) {
    this.checkout = b.checkout == null ? locateCheckout() : b.checkout;
    this.size = b.nodes;
    this.settings = new LinkedHashMap<>(b.settings);
    this.clientTimeout = b.clientTimeout;
    try {
      Path parent = b.parent == null ? checkout.resolve("dynamo-faults/target/clusters") : b.parent;
      Files.createDirectories(parent);
      this.dir = Files.createTempDirectory(parent, b.name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  private ProcessCluster start() {
    List<String> args = new ArrayList<>(List.of("start", "--nodes", String.valueOf(size)));
    settings.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
    Runtime.getRuntime().addShutdownHook(killOnExit);
    try {
      script(args);
      readNodes();
      awaitHeard(ids, ids);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  /** Starts every node again on its configuration and data, e.g. after {@link #killAll()}. */
  public void startAgain() {
    script(List.of("start"));
    paused.clear();
    awaitHeard(ids, ids);
  }

  /** {@code kill -9} of one node; returns once the process is gone. */
  public void kill(String id) {
    script(List.of("kill", id));
  }

  /** {@code kill -9} of every running node, all at once, then waits until they are gone. */
  public void killAll() {
    List<ProcessHandle> killed = new ArrayList<>();
    for (String id : ids) {
      process(id).ifPresent(p -> {
        p.destroyForcibly();
        killed.add(p);
      });
    }
    for (ProcessHandle p : killed) {
      p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }
  }

  /** Starts one node again on its configuration and data; returns once it serves clients. */
  public void restart(String id) {
    script(List.of("restart", id));
    paused.remove(id);
    List<String> live = ids.stream().filter(n -> process(n).isPresent() && !paused.contains(n)).toList();
    awaitHeard(List.of(id), live);
  }

  /** SIGSTOP: the node keeps its sockets open and answers nothing. */
  public void pause(String id) {
    script(List.of("pause", id));
    paused.add(id);
  }

  public void resume(String id) {
    script(List.of("resume", id));
    paused.remove(id);
  }

  /** SIGTERM to every node; waits until they stopped. */
  public void stop() {
    script(List.of("stop"));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (DynamoClient c : clients) {
      c.close();
    }
    try {
      if (Files.exists(dir.resolve("nodes"))) {
        script(List.of("stop"));
      }
    } catch (RuntimeException e) {
      System.err.println("ProcessCluster: stop failed, killing the nodes: " + e.getMessage());
    } finally {
      killLeftovers();
      try {
        Runtime.getRuntime().removeShutdownHook(killOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
      for (String id : ids) {
        deleteRecursively(dir.resolve(id).resolve("data"));
      }
    }
  }

  // ---- what tests use ------------------------------------------------------------------------

  /** Node ids in order: n1, n2, ... */
  public List<String> ids() {
    return List.copyOf(ids);
  }

  /** The index of a node in {@link #client()}'s node list, for its operator calls. */
  public int index(String id) {
    int i = ids.indexOf(id);
    if (i < 0) {
      throw new IllegalArgumentException("no node " + id + " in " + ids);
    }
    return i;
  }

  /**
   * A client configured with every node, in the order of {@link #ids()}: operator calls ({@code
   * statusAsync(i)}, {@code hintsAsync(i)}, {@code localGetAsync(i, ...)}) address node {@code
   * ids().get(i)}. Data requests go round-robin over all nodes, dead ones included: use {@link
   * #clientOf} to talk only to nodes that are up.
   */
  public synchronized DynamoClient client() {
    if (all == null) {
      all = clientOf(ids);
    }
    return all;
  }

  /** A new client of the given nodes only, closed with the cluster. */
  public synchronized DynamoClient clientOf(Collection<String> nodes) {
    DynamoClient.Builder b = DynamoClient.builder()
        // These nodes only: tests choose which nodes a client reaches (pauses, partitions).
        .routing(DynamoClient.Routing.SERVER)
        .timeout(clientTimeout);
    for (String id : nodes) {
      index(id);
      b.node(clientAddresses.get(id));
    }
    DynamoClient c = b.build();
    clients.add(c);
    return c;
  }

  public String clientAddress(String id) {
    return clientAddresses.get(id);
  }

  /**
   * The ring every node computes from its configuration (capacity 1 each, the configured
   * partitions, spread = N = 3), to find a key's home replicas without asking.
   */
  public Ring ring() {
    int partitions = Integer.parseInt(settings.getOrDefault("ring.partitions", "256"));
    List<Member> members = ids.stream().map(id -> Member.of(id, 1)).toList();
    return Ring.create(members, partitions, 3);
  }

  /** The home replicas of a key (its preference list of N = 3). */
  public List<String> homeReplicas(String bucket, String key) {
    return ring().preferenceList(bucket, key.getBytes(StandardCharsets.UTF_8), 3).stream()
        .map(NodeId::value)
        .toList();
  }

  public Path dir() {
    return dir;
  }

  public Path log(String id) {
    return dir.resolve(id).resolve("node.log");
  }

  // ---- internals -----------------------------------------------------------------------------

  private void readNodes() {
    try {
      for (String line : Files.readAllLines(dir.resolve("nodes"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 2) {
          ids.add(f[0]);
          clientAddresses.put(f[0], f[1]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String script(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(checkout.resolve("scripts/cluster.sh").toString());
    command.addAll(args);
    command.add("--dir");
    command.add(dir.toString());
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      // The script's output is a few lines; node output goes to the node logs.
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", command));
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed with exit status " + p.exitValue() + ":\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  /**
   * Waits until each of {@code observers} has had a heartbeat from each of {@code peers} (phi
   * above 0 in its status). A node's detector never suspects a peer it has not heard from yet, so
   * a node killed before its first heartbeat reached the others would stay "up" for them forever.
   */
  private void awaitHeard(List<String> observers, List<String> peers) {
    org.awaitility.Awaitility.await()
        .alias(observers + " heard from " + peers)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> {
          for (String observer : observers) {
            var status = client().statusAsync(index(observer)).join();
            for (var m : status.members()) {
              if (!m.nodeId().equals(observer) && peers.contains(m.nodeId()) && !(m.phi() > 0)) {
                return false;
              }
            }
          }
          return true;
        });
  }

  /** The live process of a node, if its pid file names one running this cluster's config. */
  private Optional<ProcessHandle> process(String id) {
    Path pidFile = dir.resolve(id).resolve("pid");
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      String config = dir.resolve(id).resolve("node.properties").toString();
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().arguments().map(a -> List.of(a).contains(config)).orElse(false));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void killLeftovers() {
    List<String> known = new ArrayList<>(ids);
    for (int i = 1; i <= size; i++) {
      if (!known.contains("n" + i)) {
        known.add("n" + i);
      }
    }
    for (String id : known) {
      process(id).ifPresent(p -> {
        System.err.println("ProcessCluster: killing leftover node " + id + " (pid " + p.pid() + ")");
        p.destroyForcibly();
        p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> p).join();
      });
    }
  }

  private static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("ProcessCluster: cannot delete " + path + ": " + e.getMessage());
    }
  }

  /**
   * The checkout root: {@code -Ddynamo.checkout} (set by this module's failsafe configuration),
   * else the first directory upwards from the working directory that holds scripts/cluster.sh.
   */
  static Path locateCheckout() {
    String configured = System.getProperty("dynamo.checkout");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts/cluster.sh"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "cannot find the checkout (scripts/cluster.sh) above " + Path.of("").toAbsolutePath()
            + "; set -Ddynamo.checkout");
  }

  /** Configures a cluster; {@link #start()} starts it. */
  public static final class Builder {
    private int nodes = 3;
    private final Map<String, String> settings = new LinkedHashMap<>(FAST_DETECTOR);
    private Duration clientTimeout = Duration.ofSeconds(5);
    private String name = "cluster";
    private Path checkout;
    private Path parent;

    public Builder nodes(int nodes) {
      this.nodes = nodes;
      return this;
    }

    /** A setting for every node ({@code --set key=value}); overrides the fast detector defaults. */
    public Builder set(String key, String value) {
      settings.put(key, value);
      return this;
    }

    /** Default deadline of the clients' requests. */
    public Builder clientTimeout(Duration timeout) {
      this.clientTimeout = timeout;
      return this;
    }

    /** A prefix for the cluster's directory name, e.g. the test's name. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder checkout(Path checkout) {
      this.checkout = checkout;
      return this;
    }

    /** Where the cluster's directory is created; default {@code dynamo-faults/target/clusters}. */
    public Builder parent(Path parent) {
      this.parent = parent;
      return this;
    }

    public ProcessCluster start() {
      return new ProcessCluster(this).start();
    }
  }
}

package io.dynamo.server.config;

import io.dynamo.core.antientropy.AntiEntropySettings;
import io.dynamo.core.membership.PhiAccrualSettings;
import io.dynamo.core.node.BucketProperties;
import io.dynamo.core.node.BucketTable;
import io.dynamo.core.storage.KeyLimits;
import io.dynamo.core.node.ProtocolSettings;
import io.dynamo.core.node.ReadPolicy;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.server.storage.RocksDbTuning;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a node's properties file into a {@link NodeConfig}. Every key has its default here, next to
 * its parser; a bad or missing value fails start-up with a message that names the key. Unknown keys
 * are errors too, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
  static final int MAX_NODE_ID_CHARS = 119;
  /** Keys travel in frames and RocksDB keys; a megabyte is already far past sensible. */
  private static final long MAX_KEY_BYTES = 1 << 20;

  private final Properties props;
  private final Set<String> used = new HashSet<>();

  private ConfigLoader(Properties props) {
    this.props = props;
  }

  public static NodeConfig load(Path file) {
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(r);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    return from(props, file.toAbsolutePath().getParent());
  }

  /** Builds a config from properties; relative paths resolve against {@code baseDir}. */
  public static NodeConfig from(Properties props, Path baseDir) {
    return new ConfigLoader(props).build(baseDir);
  }

  private NodeConfig build(Path baseDir) {
    // The node makes its dots as "<id>~<epoch>" (9 more characters), which must still be a node id.
    NodeId nodeId = required("node.id", text -> {
      if (text.length() > MAX_NODE_ID_CHARS) {
        throw new IllegalArgumentException(
            "at most " + MAX_NODE_ID_CHARS + " characters (dots add a 9-character epoch)");
      }
      return NodeId.of(text);
    });
    HostPort client = required("listen.client", HostPort::parse);
    HostPort peer = required("listen.peer", HostPort::parse);
    HostPort metrics = optional("listen.metrics", HostPort::parse, null);
    Set<String> metricsBuckets = optional("metrics.buckets", ConfigLoader::bucketNames, Set.of());
    Path dataDir = baseDir.resolve(required("data.dir", Function.identity()));
    int partitions = optional("ring.partitions", range(1, 1 << 20), 256);
    List<MemberConfig> members = props.containsKey("members") ? members() : List.of();
    List<HostPort> seeds = optional("seeds", ConfigLoader::addresses, List.of());
    if (members.isEmpty() && seeds.isEmpty()) {
      throw new ConfigException(
          "members or seeds: a node needs the members of a new cluster, or seeds to find one");
    }
    if (!members.isEmpty() && members.stream().noneMatch(m -> m.id().equals(nodeId))) {
      throw new ConfigException("members: this node '" + nodeId + "' is not listed");
    }
    MemberConfig self = self(nodeId, client, peer, members);
    boolean autoJoin =
        optional("cluster.join", ConfigLoader::joinMode, false);
    long maxKey = optional("limits.max-key-size", Units::bytes, 65_536L);
    if (maxKey < 1 || maxKey > MAX_KEY_BYTES) {
      throw new ConfigException(
          "limits.max-key-size: must be 1 byte to " + MAX_KEY_BYTES + " bytes: " + maxKey);
    }
    long maxFrame = optional("limits.max-frame-size", Units::bytes, 16L << 20);
    long recordCeiling = Math.max(1, (maxFrame - maxKey - 4096) / 2);
    BucketProperties defaults = bucket("bucket.default", BucketProperties.DEFAULT, recordCeiling);
    Map<String, BucketProperties> overrides = new HashMap<>();
    for (String name : bucketNames()) {
      overrides.put(name, bucket("bucket." + name, defaults, recordCeiling));
    }
    if (!members.isEmpty()) {
      for (BucketProperties b : overrides.values()) {
        checkN(b, members.size());
      }
      checkN(defaults, members.size());
    }
    long timeoutMillis =
        optional("request.timeout", positive(Units::duration), Duration.ofSeconds(5)).toMillis();
    int maxClockEntries = optional("version.max-clock-entries", range(1, 10_000), 50);
    Duration heartbeat =
        optional("failure-detector.heartbeat-interval", positive(Units::duration), Duration.ofMillis(500));
    Duration handoffInterval =
        optional("handoff.interval", positive(Units::duration), Duration.ofMillis(100));
    int handoffRate = optional("handoff.max-rate", range(1, 1_000_000), 2_000);
    boolean handoff = optional("handoff.enabled", ConfigLoader::bool, true);
    boolean readRepair = optional("read-repair.enabled", ConfigLoader::bool, true);
    long forwardRetryMillis =
        optional(
                "request.forward-retry",
                positive(Units::duration),
                Duration.ofMillis(ProtocolSettings.defaultForwardRetryMillis(timeoutMillis)))
            .toMillis();
    if (forwardRetryMillis > timeoutMillis) {
      throw new ConfigException(
          "request.forward-retry: must not exceed request.timeout (" + timeoutMillis + " ms): "
              + forwardRetryMillis + " ms");
    }
    ReadPolicy.Fanout fanout = optional("read.fanout", ConfigLoader::fanout, ReadPolicy.DEFAULT.fanout());
    long speculateAfter = optional("read.speculative-retry", ConfigLoader::speculation, ReadPolicy.ADAPTIVE);
    if (speculateAfter > timeoutMillis) {
      throw new ConfigException(
          "read.speculative-retry: must not exceed request.timeout (" + timeoutMillis + " ms): "
              + speculateAfter + " ms");
    }
    ProtocolSettings protocol =
        new ProtocolSettings(
            timeoutMillis, maxClockEntries, (int) maxKey, heartbeat.toMillis(),
            handoffInterval.toMillis(), handoffRate, handoff, forwardRetryMillis, readRepair,
            new ReadPolicy(fanout, speculateAfter));
    double threshold =
        optional("failure-detector.phi-threshold", ConfigLoader::positiveDouble, 8.0);
    Duration pause =
        optional("failure-detector.acceptable-pause", Units::duration, Duration.ofSeconds(2));
    PhiAccrualSettings detector =
        new PhiAccrualSettings(threshold, 1000, 100, pause.toMillis(), heartbeat.toMillis());
    // What a record may grow to, merges of two accepted records included, must fit in a frame,
    // so that anything accepted can always be read, repaired and handed off.
    long largestRecord = Math.max(defaults.keyLimits().recordMaxBytes(),
        overrides.values().stream().mapToLong(b -> b.keyLimits().recordMaxBytes()).max().orElse(0));
    if (maxFrame > Integer.MAX_VALUE || maxFrame < 2 * largestRecord + maxKey + 4096) {
      throw new ConfigException(
          "limits.max-frame-size (" + maxFrame + ") must be at least twice the largest record-max-size ("
              + largestRecord + ") plus the key size plus 4KiB of headers");
    }
    boolean sync = optional("storage.sync", ConfigLoader::bool, false);
    boolean wal = optional("storage.wal", ConfigLoader::bool, true);
    if (sync && !wal) {
      throw new ConfigException("storage.sync: true needs storage.wal=true (there is no log to sync)");
    }
    // Without fsync a RocksDB call costs microseconds: running it on the shard loop saves two
    // thread hand-offs per call. With fsync it waits for the disk, which must not stall a loop.
    int threads = optional("storage.threads", range(0, 256), sync ? 4 : 0);
    long blockCache =
        optional(
            "storage.block-cache-size",
            size(RocksDbTuning.MIN_BLOCK_CACHE_BYTES, Long.MAX_VALUE),
            RocksDbTuning.DEFAULT_BLOCK_CACHE_BYTES);
    long writeBuffer =
        optional(
            "storage.write-buffer-size",
            size(RocksDbTuning.MIN_WRITE_BUFFER_BYTES, RocksDbTuning.MAX_WRITE_BUFFER_BYTES),
            RocksDbTuning.DEFAULT_WRITE_BUFFER_BYTES);
    int ioThreads =
        optional(
            "network.io-threads", range(1, 64), Math.min(4, Runtime.getRuntime().availableProcessors()));
    Duration grace = optional("shutdown.grace", Units::duration, Duration.ofSeconds(10));
    RequestLimits limits = requestLimits(maxFrame);
    NetworkLimits network = network((int) maxFrame);
    AntiEntropySettings antiEntropy = antiEntropy();
    Set<String> unknown = new HashSet<>(props.stringPropertyNames());
    unknown.removeAll(used);
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown configuration keys: " + new java.util.TreeSet<>(unknown));
    }
    return new NodeConfig(
        nodeId, client, peer, metrics, dataDir, partitions, members, self, seeds, autoJoin,
        new BucketTable(defaults, overrides), protocol, detector, (int) maxFrame, sync, wal,
        RocksDbTuning.of(blockCache, writeBuffer), threads, ioThreads, grace, limits, network,
        antiEntropy, metricsBuckets);
  }

  /** Most bucket names {@code metrics.buckets} may list: each costs a set of timers. */
  static final int MAX_METRICS_BUCKETS = 100;

  /** A comma-separated list of valid bucket names. */
  private static Set<String> bucketNames(String text) {
    Set<String> out = new java.util.TreeSet<>();
    for (String name : text.split("\\s*,\\s*")) {
      if (name.isEmpty()) {
        continue;
      }
      if (!io.dynamo.core.node.BucketTable.isValidName(name)) {
        throw new IllegalArgumentException("invalid bucket name '" + name + "'");
      }
      out.add(name);
    }
    if (out.size() > MAX_METRICS_BUCKETS) {
      throw new IllegalArgumentException(
          "at most " + MAX_METRICS_BUCKETS + " buckets, not " + out.size());
    }
    return out;
  }

  /** The {@code anti-entropy.*} keys (docs/anti-entropy.md). */
  private AntiEntropySettings antiEntropy() {
    AntiEntropySettings d = AntiEntropySettings.DEFAULT;
    boolean enabled = optional("anti-entropy.enabled", ConfigLoader::bool, d.enabled());
    Duration sweep =
        optional("anti-entropy.sweep", positive(Units::duration), Duration.ofMillis(d.sweepMillis()));
    Duration confirm =
        optional(
            "anti-entropy.confirm-delay", Units::duration, Duration.ofMillis(d.confirmDelayMillis()));
    int maxKeys =
        optional("anti-entropy.max-keys-per-exchange", range(1, 1_000_000), d.maxKeysPerExchange());
    long rate = optional("anti-entropy.max-rate", Units::bytes, d.bytesPerSecond());
    int concurrent =
        optional("anti-entropy.max-concurrent-exchanges", range(1, 64), d.maxConcurrentExchanges());
    Duration step =
        optional(
            "anti-entropy.step-timeout", positive(Units::duration),
            Duration.ofMillis(d.stepTimeoutMillis()));
    Duration rebuild =
        optional("anti-entropy.tree-rebuild", Units::duration, Duration.ofMillis(d.rebuildMillis()));
    Duration cleanup =
        optional(
            "anti-entropy.cleanup-grace", Units::duration,
            Duration.ofMillis(d.cleanupGraceMillis()));
    Duration tombstones =
        optional(
            "anti-entropy.tombstone-grace", Units::duration,
            Duration.ofMillis(d.tombstoneGraceMillis()));
    return new AntiEntropySettings(
        enabled, sweep.toMillis(), confirm.toMillis(), maxKeys, rate, concurrent, step.toMillis(),
        rebuild.toMillis(), cleanup.toMillis(), tombstones.toMillis());
  }

  private RequestLimits requestLimits(long maxFrame) {
    int inFlight =
        optional("limits.max-requests-in-flight", range(1, 1 << 20), RequestLimits.DEFAULT_MAX_IN_FLIGHT);
    int perConnection =
        optional(
            "limits.max-requests-per-connection", range(1, 1 << 20),
            Math.min(inFlight, RequestLimits.DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION));
    if (perConnection > inFlight) {
      throw new ConfigException(
          "limits.max-requests-per-connection (" + perConnection
              + ") must not exceed limits.max-requests-in-flight (" + inFlight + ")");
    }
    // The largest request a client may send must fit in the budget, or it could never be served.
    long bytes =
        optional(
            "limits.max-request-bytes-in-flight", size(maxFrame, Long.MAX_VALUE),
            Math.max(maxFrame, RequestLimits.defaultMaxBytesInFlight()));
    long clientBuffer =
        optional(
            "limits.client-write-buffer", size(64 << 10, Integer.MAX_VALUE),
            (long) RequestLimits.DEFAULT_CLIENT_WRITE_BUFFER_BYTES);
    long peerBuffer =
        optional(
            "limits.peer-write-buffer", size(maxFrame, Integer.MAX_VALUE),
            Math.max(maxFrame, RequestLimits.DEFAULT_PEER_WRITE_BUFFER_BYTES));
    return new RequestLimits(inFlight, perConnection, bytes, (int) clientBuffer, (int) peerBuffer);
  }

  private NetworkLimits network(int maxFrame) {
    Duration idle =
        optional("network.idle-timeout", Units::duration, NetworkLimits.DEFAULT_IDLE_TIMEOUT);
    Duration stall =
        optional(
            "network.frame-stall-timeout",
            positive(Units::duration),
            NetworkLimits.DEFAULT_FRAME_STALL_TIMEOUT);
    long pending =
        optional(
            "network.max-pending-frame-bytes",
            Units::bytes,
            NetworkLimits.defaultMaxPendingFrameBytes(
                PlatformDependent.maxDirectMemory(), maxFrame));
    if (pending < 2L * maxFrame) {
      // A receive buffer grows past what it holds (up to twice, rounded by the allocator): with
      // less, one frame of the largest size accepted might never be received.
      throw new ConfigException(
          "network.max-pending-frame-bytes must be at least twice limits.max-frame-size ("
              + 2L * maxFrame + " bytes): " + pending);
    }
    return new NetworkLimits(idle, stall, pending);
  }

  private List<MemberConfig> members() {
    List<String> ids = required("members", s -> List.of(s.trim().split("\\s*,\\s*")));
    List<MemberConfig> out = new ArrayList<>();
    for (String id : ids) {
      String prefix = "member." + id + ".";
      out.add(
          new MemberConfig(
              check("members", () -> NodeId.of(id)),
              required(prefix + "peer", HostPort::parse),
              required(prefix + "client", HostPort::parse),
              optional(prefix + "capacity", range(1, 1_000_000), 1),
              optional(prefix + "zone", String::trim, "")));
    }
    if (new HashSet<>(ids).size() != ids.size()) {
      throw new ConfigException("members: a node is listed twice: " + ids);
    }
    return out;
  }

  /**
   * How this node describes itself to the cluster: its member entry when the file lists the
   * members, else the {@code node.*} keys (advertised addresses default to the listen addresses).
   */
  private MemberConfig self(NodeId id, HostPort client, HostPort peer, List<MemberConfig> members) {
    for (MemberConfig m : members) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    return new MemberConfig(
        id,
        optional("node.advertise.peer", HostPort::parse, peer),
        optional("node.advertise.client", HostPort::parse, client),
        optional("node.capacity", range(1, 1_000_000), 1),
        optional("node.zone", String::trim, ""));
  }

  private static List<HostPort> addresses(String text) {
    List<HostPort> out = new ArrayList<>();
    for (String part : text.trim().split("\\s*,\\s*")) {
      if (!part.isEmpty()) {
        out.add(HostPort.parse(part));
      }
    }
    return List.copyOf(out);
  }

  private static ReadPolicy.Fanout fanout(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "quorum" -> ReadPolicy.Fanout.QUORUM;
      case "all" -> ReadPolicy.Fanout.ALL;
      default -> throw new IllegalArgumentException("must be quorum or all: " + text);
    };
  }

  /** auto (the recent 99th percentile), never, or a positive duration, in milliseconds. */
  private static long speculation(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "auto" -> ReadPolicy.ADAPTIVE;
      case "never" -> ReadPolicy.NEVER;
      default -> {
        Duration d = Units.duration(text);
        if (d.toMillis() < 1) {
          throw new IllegalArgumentException("must be auto, never or at least 1ms: " + text);
        }
        yield d.toMillis();
      }
    };
  }

  private static boolean joinMode(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "auto" -> true;
      case "manual" -> false;
      default -> throw new IllegalArgumentException("must be auto or manual: " + text);
    };
  }

  private Set<String> bucketNames() {
    Set<String> names = new HashSet<>();
    for (String key : props.stringPropertyNames()) {
      if (key.startsWith("bucket.") && !key.startsWith("bucket.default.")) {
        int dot = key.indexOf('.', "bucket.".length());
        if (dot > 0) {
          names.add(key.substring("bucket.".length(), dot));
        }
      }
    }
    return names;
  }

  /**
   * @param recordCeiling the largest record size the frame limit allows by default: record
   *     limits not set explicitly stay under it, yet above the bucket's largest value
   */
  private BucketProperties bucket(String prefix, BucketProperties base, long recordCeiling) {
    int n = optional(prefix + ".n", Integer::parseInt, base.n());
    // A bucket that only lowers n keeps quorums it can meet.
    int r = optional(prefix + ".r", Integer::parseInt, Math.min(base.r(), n));
    int w = optional(prefix + ".w", Integer::parseInt, Math.min(base.w(), n));
    ConflictMode mode = optional(prefix + ".conflict", ConfigLoader::conflictMode, base.conflictMode());
    long max = optional(prefix + ".max-value-size", Units::bytes, (long) base.maxValueBytes());
    KeyLimits b = base.keyLimits();
    // Setting one level alone moves the other's default out of its way.
    Integer warnSet = optional(prefix + ".siblings-warn", range(1, 4096), null);
    Integer maxSet = optional(prefix + ".siblings-max", range(1, 4096), null);
    int siblingsMax =
        maxSet != null ? maxSet : Math.max(b.siblingsMax(), warnSet == null ? 1 : warnSet);
    int siblingsWarn = warnSet != null ? warnSet : Math.min(b.siblingsWarn(), siblingsMax);
    long recordMax =
        optional(
            prefix + ".record-max-size", Units::bytes,
            Math.max(Math.min(b.recordMaxBytes(), recordCeiling), max + 65_536));
    long recordWarn =
        optional(prefix + ".record-warn-size", Units::bytes, Math.min(b.recordWarnBytes(), recordMax));
    return check(
        prefix,
        () -> new BucketProperties(
            n, r, w, mode, Math.toIntExact(max),
            new KeyLimits(siblingsWarn, siblingsMax, recordWarn, recordMax)));
  }

  private static void checkN(BucketProperties b, int members) {
    if (b.n() > members) {
      throw new ConfigException(
          "bucket n=" + b.n() + " exceeds the " + members + " configured members");
    }
  }

  private static ConflictMode conflictMode(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "siblings" -> ConflictMode.SIBLINGS;
      case "lww", "last-write-wins" -> ConflictMode.LAST_WRITE_WINS;
      default -> throw new IllegalArgumentException("expected siblings or last-write-wins: " + s);
    };
  }

  private static double positiveDouble(String s) {
    double d = Double.parseDouble(s);
    if (!(d > 0) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("must be a positive number: " + s);
    }
    return d;
  }

  private static boolean bool(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("expected true or false: " + s);
    };
  }

  private <T> T required(String key, Function<String, T> parser) {
    String raw = props.getProperty(key);
    if (raw == null || raw.isBlank()) {
      throw new ConfigException(key + ": required but not set");
    }
    return parse(key, raw, parser);
  }

  private <T> T optional(String key, Function<String, T> parser, T fallback) {
    String raw = props.getProperty(key);
    if (raw == null) {
      return fallback;
    }
    return parse(key, raw, parser);
  }

  private <T> T parse(String key, String raw, Function<String, T> parser) {
    used.add(key);
    try {
      return parser.apply(raw.trim());
    } catch (RuntimeException e) {
      throw new ConfigException(key + ": " + e.getMessage(), e);
    }
  }

  /** An integer parser that also checks the range, so the error names the key. */
  private static Function<String, Integer> range(int min, int max) {
    return s -> {
      int v = Integer.parseInt(s);
      if (v < min || v > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max + ": " + v);
      }
      return v;
    };
  }

  /** A size parser that also checks the range, so the error names the key. */
  private static Function<String, Long> size(long min, long max) {
    return s -> {
      long v = Units.bytes(s);
      if (v < min || v > max) {
        throw new IllegalArgumentException(
            "must be " + (max == Long.MAX_VALUE ? "at least " + min + " bytes" : "between " + min
                + " and " + max + " bytes") + ": " + s);
      }
      return v;
    };
  }

  private static Function<String, Duration> positive(Function<String, Duration> parser) {
    return s -> {
      Duration d = parser.apply(s);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be positive: " + s);
      }
      return d;
    };
  }

  private static <T> T check(String key, java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage(), e);
    }
  }
}

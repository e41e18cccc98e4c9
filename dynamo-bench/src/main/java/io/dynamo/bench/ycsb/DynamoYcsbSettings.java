package io.dynamo.bench.ycsb;

import io.dynamo.client.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * The binding's {@code dynamo.*} properties, parsed and checked; a bad value fails with a message
 * that names its key.
 *
 * @param nodes client addresses ({@code host:port}) requests are spread over
 * @param bucket the bucket every record goes to, or null for the YCSB table name
 * @param r read quorum of each get, 0 for the bucket's
 * @param w write quorum of each put and delete, 0 for the bucket's
 * @param timeout deadline of one request
 * @param ioThreads the shared client's I/O threads
 */
public record DynamoYcsbSettings(
    List<String> nodes, String bucket, int r, int w, Duration timeout, int ioThreads,
    boolean serverRouting) {
  public static final String NODES = "dynamo.nodes";
  public static final String BUCKET = "dynamo.bucket";
  public static final String R = "dynamo.r";
  public static final String W = "dynamo.w";
  public static final String TIMEOUT = "dynamo.timeout";
  public static final String IO_THREADS = "dynamo.io-threads";
  /** partition-aware (default: each request straight to a replica) or server. */
  public static final String ROUTING = "dynamo.routing";

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  static final int DEFAULT_IO_THREADS = 2;

  public DynamoYcsbSettings {
    nodes = List.copyOf(nodes);
  }

  /** Reads the settings from YCSB's properties. */
  public static DynamoYcsbSettings from(Properties p) {
    String rawNodes = p.getProperty(NODES, "").trim();
    if (rawNodes.isEmpty()) {
      throw new IllegalArgumentException(NODES + ": required (comma-separated host:port)");
    }
    List<String> nodes = new ArrayList<>();
    for (String n : rawNodes.split(",")) {
      String node = n.trim();
      if (!node.isEmpty()) {
        nodes.add(checkHostPort(node));
      }
    }
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException(NODES + ": no address in '" + rawNodes + "'");
    }
    String bucket = p.getProperty(BUCKET);
    if (bucket != null) {
      bucket = bucket.trim();
      if (bucket.isEmpty()) {
        throw new IllegalArgumentException(BUCKET + ": must not be empty");
      }
    }
    int r = integer(p, R, 0, 0);
    int w = integer(p, W, 0, 0);
    Duration timeout = duration(p, TIMEOUT, DEFAULT_TIMEOUT);
    int ioThreads = integer(p, IO_THREADS, DEFAULT_IO_THREADS, 1);
    String routing = p.getProperty(ROUTING, "partition-aware").trim();
    if (!routing.equals("partition-aware") && !routing.equals("server")) {
      throw new IllegalArgumentException(ROUTING + ": partition-aware or server, not '" + routing + "'");
    }
    return new DynamoYcsbSettings(nodes, bucket, r, w, timeout, ioThreads, routing.equals("server"));
  }

  /** The bucket of a YCSB table. */
  public String bucketFor(String table) {
    return bucket != null ? bucket : table;
  }

  public RequestOptions requestOptions() {
    return new RequestOptions(r, w, null);
  }

  private static String checkHostPort(String node) {
    int colon = node.lastIndexOf(':');
    if (colon <= 0 || colon == node.length() - 1) {
      throw new IllegalArgumentException(NODES + ": expected host:port, got '" + node + "'");
    }
    int port;
    try {
      port = Integer.parseInt(node.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(NODES + ": bad port in '" + node + "'", e);
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(NODES + ": port out of range in '" + node + "'");
    }
    return node;
  }

  private static int integer(Properties p, String key, int fallback, int min) {
    String raw = p.getProperty(key);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    int v;
    try {
      v = Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": expected an integer, got '" + raw + "'", e);
    }
    if (v < min) {
      throw new IllegalArgumentException(key + ": must be at least " + min + ", got " + v);
    }
    return v;
  }

  /** 500ms, 10s, 2m, 1h, or an ISO-8601 duration (PT10S); a bare number is seconds. */
  static Duration duration(Properties p, String key, Duration fallback) {
    String raw = p.getProperty(key);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    String s = raw.trim().toLowerCase(Locale.ROOT);
    Duration d;
    try {
      if (s.startsWith("pt")) {
        d = Duration.parse(s);
      } else if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else if (s.endsWith("h")) {
        d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
      } else if (s.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
      } else if (s.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      } else {
        d = Duration.ofSeconds(Long.parseLong(s));
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          key + ": expected a duration such as 500ms, 10s, 2m, got '" + raw + "'", e);
    }
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + ": must be positive, got '" + raw + "'");
    }
    return d;
  }
}

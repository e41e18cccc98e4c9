package io.dynamo.testkit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The history the acknowledged-writes checker judges: for each key of one bucket, the last value
 * whose put was acknowledged and the context it returned (for the next put of the key to replace
 * it). Puts that failed or timed out are counted, not recorded: they may or may not have been
 * applied, so no checker may demand them. Safe to record from several threads.
 */
public final class AcknowledgedWrites {
  /** One acknowledged put. */
  public record Write(String value, byte[] context) {}

  private final String bucket;
  private final Map<String, Write> latest = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  public AcknowledgedWrites(String bucket) {
    this.bucket = bucket;
  }

  public String bucket() {
    return bucket;
  }

  public void acknowledged(String key, String value, byte[] context) {
    latest.put(key, new Write(value, context));
  }

  public void failed(String key) {
    failures.merge(key, 1, Integer::sum);
  }

  /** The context to write {@code key} with: the last acknowledged put's, or none. */
  public byte[] context(String key) {
    Write w = latest.get(key);
    return w == null ? Bytes.NO_CONTEXT : w.context();
  }

  /**
   * Puts {@code value} to {@code key} through {@code node} with the key's last acknowledged
   * context, so it replaces the earlier value, and records the outcome; returns it.
   */
  public Outcome put(ClusterDriver driver, String node, String key, String value, int w) {
    Outcome o = driver.put(node, bucket, Bytes.utf8(key), context(key), Bytes.utf8(value), w);
    if (o.isOk()) {
      acknowledged(key, value, o.context());
    } else {
      failed(key);
    }
    return o;
  }

  /** Acknowledged keys and their last values, sorted by key. */
  public Map<String, String> values() {
    Map<String, String> out = new TreeMap<>();
    latest.forEach((k, w) -> out.put(k, w.value()));
    return out;
  }

  public int size() {
    return latest.size();
  }

  public int failures() {
    return failures.values().stream().mapToInt(Integer::intValue).sum();
  }
}

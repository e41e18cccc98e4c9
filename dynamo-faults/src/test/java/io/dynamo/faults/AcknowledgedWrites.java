package io.dynamo.faults;

import io.dynamo.client.Context;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The history a checker judges: for each key, the last value whose put was acknowledged and the
 * context it returned (for the next put of that key to replace it). Puts that failed or timed out
 * are counted but not recorded: they may or may not have been applied, so no checker may demand
 * them.
 */
public final class AcknowledgedWrites {
  /** One acknowledged put. */
  public record Write(String value, Context context) {}

  private final String bucket;
  private final Map<String, Write> latest = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  public AcknowledgedWrites(String bucket) {
    this.bucket = bucket;
  }

  public String bucket() {
    return bucket;
  }

  public void acknowledged(String key, String value, Context context) {
    latest.put(key, new Write(value, context));
  }

  public void failed(String key) {
    failures.merge(key, 1, Integer::sum);
  }

  /** The context to write {@code key} with: the last acknowledged put's, or none. */
  public Context context(String key) {
    Write w = latest.get(key);
    return w == null ? Context.NONE : w.context();
  }

  /** Acknowledged keys and their last values, sorted by key. */
  public Map<String, String> values() {
    Map<String, String> out = new TreeMap<>();
    latest.forEach((k, w) -> out.put(k, w.value()));
    return out;
  }

  public Set<String> keys() {
    return values().keySet();
  }

  public int size() {
    return latest.size();
  }

  public int failures() {
    return failures.values().stream().mapToInt(Integer::intValue).sum();
  }
}

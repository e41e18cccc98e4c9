package io.dynamo.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Gauges and counters whose series come and go with the cluster (one per peer, per hint target,
 * per owned partition), set from a snapshot: each refresh sets every current series, and series
 * not set by a refresh are removed from the registry. Micrometer reads the values this holds, so a
 * scrape never waits for the protocol thread. Not thread-safe: one refresh at a time.
 */
final class SnapshotMeters {
  private final MeterRegistry registry;
  private final Map<Key, Value> values = new HashMap<>();
  private final Set<Key> setThisRound = new HashSet<>();

  SnapshotMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A value of a snapshot, read by its meter. */
  private static final class Value {
    volatile double value;
    Meter meter;
  }

  private record Key(String name, Tags tags) {}

  void gauge(String name, String description, Tags tags, double value) {
    set(name, description, tags, value, false);
  }

  /** A counter whose total the snapshot already holds (it only ever grows). */
  void counter(String name, String description, Tags tags, double value) {
    set(name, description, tags, value, true);
  }

  private void set(String name, String description, Tags tags, double value, boolean counter) {
    Key key = new Key(name, tags);
    Value v = values.get(key);
    if (v == null) {
      v = new Value();
      v.meter =
          counter
              ? FunctionCounter.builder(name, v, x -> x.value)
                  .description(description).tags(tags).register(registry)
              : Gauge.builder(name, v, x -> x.value)
                  .description(description).tags(tags).strongReference(true).register(registry);
      values.put(key, v);
    }
    v.value = value;
    setThisRound.add(key);
  }

  /** Ends a refresh: removes the series it did not set (a peer or partition gone). */
  void endRefresh() {
    for (Iterator<Map.Entry<Key, Value>> it = values.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Value> e = it.next();
      if (!setThisRound.contains(e.getKey())) {
        registry.remove(e.getValue().meter);
        it.remove();
      }
    }
    setThisRound.clear();
  }
}

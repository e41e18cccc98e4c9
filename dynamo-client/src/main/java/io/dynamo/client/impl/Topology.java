package io.dynamo.client.impl;

import io.dynamo.proto.v1.ClusterMapRequest;
import io.dynamo.proto.v1.Envelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this client's {@link ClusterMap} current: loads it from any node it knows (the seeds, then
 * the members of the map it has), again when an answer carries a newer ring version, and
 * periodically. One load at a time; until the first succeeds, the map is null and requests go to
 * the seeds.
 */
public final class Topology {
  private static final Logger log = LoggerFactory.getLogger(Topology.class);

  private final Endpoints endpoints;
  private final List<String> seeds;
  private final Duration requestTimeout;
  private final Consumer<Boolean> onRefresh;
  private final AtomicBoolean loading = new AtomicBoolean();
  private final CompletableFuture<ClusterMap> first = new CompletableFuture<>();
  private volatile ClusterMap map;
  /** The newest ring version an answer showed: a load goes on to other nodes until one has it. */
  private volatile long wanted;
  /** When the last load started: answers trigger at most one load per {@link #MIN_GAP_NANOS}. */
  private volatile long lastLoadNanos = System.nanoTime() - MIN_GAP_NANOS;

  /**
   * While nodes apply a new ring one after another, every answer from one that did says so; a
   * load per answer would be a storm, one per 100 ms follows the change closely enough.
   */
  private static final long MIN_GAP_NANOS = 100_000_000L;

  /**
   * @param onRefresh told the outcome of every load (true: a map was taken), for metrics
   */
  public Topology(
      Endpoints endpoints, List<String> seeds, Duration requestTimeout, Consumer<Boolean> onRefresh) {
    this.endpoints = endpoints;
    this.seeds = List.copyOf(seeds);
    this.requestTimeout = requestTimeout;
    this.onRefresh = onRefresh;
  }

  /** The current map; null until one was loaded. */
  public ClusterMap map() {
    return map;
  }

  /** Completes with the first map loaded (never fails; it may never complete without a cluster). */
  public CompletableFuture<ClusterMap> firstMap() {
    return first;
  }

  /** An answer said the node serves ring version {@code version}: reload if that is newer. */
  public void observe(long version) {
    ClusterMap m = map;
    if (version != 0 && (m == null || version > m.ringVersion())) {
      if (version > wanted) {
        wanted = version;
      }
      refreshSoon();
    }
  }

  /** Loads the map unless a load is running or one started less than 100 ms ago. */
  public void refreshSoon() {
    if (System.nanoTime() - lastLoadNanos >= MIN_GAP_NANOS) {
      refresh();
    }
  }

  /** Loads the map unless a load is running. */
  public void refresh() {
    if (endpoints.isClosed() || !loading.compareAndSet(false, true)) {
      return;
    }
    lastLoadNanos = System.nanoTime();
    load(sources(), 0);
  }

  private List<String> sources() {
    Set<String> out = new LinkedHashSet<>();
    ClusterMap m = map;
    if (m != null) {
      // Members first, up ones before others: a seed may have left the cluster. In random order,
      // so that clients do not all ask the same node (which may be the one behind).
      List<String> up = new ArrayList<>();
      List<String> rest = new ArrayList<>();
      for (ClusterMap.Member member : m.members()) {
        (member.up() ? up : rest).add(member.clientAddress());
      }
      java.util.Collections.shuffle(up);
      java.util.Collections.shuffle(rest);
      out.addAll(up);
      out.addAll(rest);
    }
    out.addAll(seeds);
    return new ArrayList<>(out);
  }

  private void load(List<String> sources, int index) {
    if (index >= sources.size() || endpoints.isClosed()) {
      loading.set(false);
      onRefresh.accept(false);
      return;
    }
    Endpoint e;
    try {
      e = endpoints.of(sources.get(index));
    } catch (RuntimeException bad) {
      load(sources, index + 1);
      return;
    }
    e.connection()
        .request(Envelope.newBuilder().setClusterMapRequest(ClusterMapRequest.getDefaultInstance()), requestTimeout)
        .whenComplete((response, error) -> {
          try {
            ClusterMap next =
                error == null && response.hasClusterMapResponse()
                    ? ClusterMap.from(response.getClusterMapResponse())
                    : null;
            if (next == null) {
              log.debug("no cluster map from {}: {}", sources.get(index),
                  error != null ? error.toString() : response.getBodyCase());
              load(sources, index + 1);
              return;
            }
            take(next);
            if (next.ringVersion() < wanted && index + 1 < sources.size()) {
              // This node has not applied the ring an answer showed yet: ask the next one.
              load(sources, index + 1);
              return;
            }
            loading.set(false);
            onRefresh.accept(true);
          } catch (RuntimeException failure) {
            // A load must never leave the flag set: every later refresh would do nothing.
            log.warn("loading the cluster map from {} failed", sources.get(index), failure);
            loading.set(false);
            onRefresh.accept(false);
          }
        });
  }

  private void take(ClusterMap next) {
    ClusterMap old = map;
    if (old != null && next.ringVersion() < old.ringVersion()) {
      return; // an answer from a node behind the one asked before
    }
    map = next;
    List<String> addresses = new ArrayList<>();
    for (ClusterMap.Member m : next.members()) {
      addresses.add(m.clientAddress());
    }
    endpoints.retainOnly(addresses);
    if (old == null || old.ringVersion() != next.ringVersion()) {
      log.debug("cluster map at ring version {} with {} members", next.ringVersion(), next.members().size());
    }
    first.complete(next);
  }
}

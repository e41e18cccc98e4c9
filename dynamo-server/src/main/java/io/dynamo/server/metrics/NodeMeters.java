package io.dynamo.server.metrics;

import io.dynamo.core.coordinator.CoordinatorCounters;
import io.dynamo.server.transport.Admission;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The node's own counters and gauges that can be read from any thread at any time (adders and
 * atomics): admission and shedding, queue depths, forwarded requests, hints kept for missed
 * acknowledgements, frame budgets, storage failures. Registered once; read at each scrape.
 */
final class NodeMeters {
  private NodeMeters() {}

  static void bind(MeterRegistry registry, NodeSources s) {
    counter(registry, s, "dynamo.missed.ack.hints",
        "hints kept for replicas believed up that did not acknowledge a write in time",
        NodeSources::missedAckHints);
    counter(registry, s, "dynamo.keys.past.warning",
        "writes that left a key past its bucket's sibling or record-size warn level",
        NodeSources::keysPastWarning);
    counter(registry, s, "dynamo.peer.messages.dropped",
        "messages to peers dropped because the peer was not keeping up", NodeSources::peerMessagesDropped);
    counter(registry, s, "dynamo.storage.failures",
        "local storage operations that failed (reads, writes, hints)", NodeSources::storageFailures);
    Gauge.builder("dynamo.pending.frame.bytes", s, x -> x.clientPendingFrameBytes().getAsLong())
        .description("bytes held in incomplete frames, by budget (network.max-pending-frame-bytes each)")
        .tag("budget", "client")
        .register(registry);
    Gauge.builder("dynamo.pending.frame.bytes", s, x -> x.peerPendingFrameBytes().getAsLong())
        .description("bytes held in incomplete frames, by budget (network.max-pending-frame-bytes each)")
        .tag("budget", "peer")
        .register(registry);
    gauge(registry, s, "dynamo.client.requests.in.flight",
        "client requests admitted and not yet answered", x -> x.admission()::inFlight);
    gauge(registry, s, "dynamo.client.request.bytes.in.flight",
        "encoded bytes of the client requests in flight, and of their answers not yet written",
        x -> x.admission()::bytesInFlight);
    counter(registry, s, "dynamo.client.requests.admitted", "client requests admitted",
        x -> x.admission()::admitted);
    for (Admission.Refusal r : Admission.Refusal.values()) {
      FunctionCounter.builder("dynamo.client.requests.shed", s, x -> x.admission().refused(r))
          .description("client requests refused with OVERLOADED, by the limit they met")
          .tag("reason", r.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    for (CoordinatorCounters.Op op : CoordinatorCounters.Op.values()) {
      FunctionCounter.builder(
              "dynamo.requests.forwarded", s, x -> x.forwarded().applyAsLong(op))
          .description(
              "requests not sent straight to the key's replicas: writes this node handed to another"
                  + " coordinator, gets it coordinated without being one of the key's replicas")
          .tag("op", op.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    counter(registry, s, "dynamo.reads.speculative",
        "replicas gets read because the replicas asked first had not answered in time",
        NodeSources::speculativeReads);
    gauge(registry, s, "dynamo.storage.queue.depth",
        "storage tasks waiting for a storage thread (0 with storage.threads=0)",
        NodeSources::storageQueueDepth);
    for (int i = 0; i < s.shards(); i++) {
      int shard = i;
      Gauge.builder("dynamo.shard.pending.tasks", s, x -> x.shardPendingTasks().applyAsLong(shard))
          .description("tasks queued on the shard's I/O loop: requests and messages handed over,"
              + " storage results")
          .tag("shard", Integer.toString(shard))
            .register(registry);
    }
    gauge(registry, s, "dynamo.view.version", "version of the cluster view this node follows",
        NodeSources::viewVersion);
  }

  // Micrometer holds a function counter's object weakly: every meter here reads through the
  // sources record, which NodeMetrics keeps, so none of them can be collected and read NaN.
  private static void counter(
      MeterRegistry registry, NodeSources s, String name, String description,
      Function<NodeSources, LongSupplier> value) {
    FunctionCounter.builder(name, s, x -> value.apply(x).getAsLong())
        .description(description)
        .register(registry);
  }

  private static void gauge(
      MeterRegistry registry, NodeSources s, String name, String description,
      Function<NodeSources, LongSupplier> value) {
    Gauge.builder(name, s, x -> value.apply(x).getAsLong())
        .description(description)
        .register(registry);
  }
}

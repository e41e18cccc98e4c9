package io.dynamo.core.transfer;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Clock;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.core.sim.SimulatedClock;
import io.dynamo.core.sim.SimulatedEventQueue;
import io.dynamo.core.sim.SimulatedTrace;
import io.dynamo.core.storage.InMemoryStorageEngine;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.proto.v1.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * Nodes with in-memory storage and transfer services on one simulated event queue: timers, storage
 * work and messages are events, so a run is deterministic. A node can crash (its timers, storage
 * callbacks and undelivered messages are dropped; its storage stays) and come back with a fresh
 * service. The network can drop or rewrite messages.
 */
final class TransferHarness {
  static final long LATENCY_MILLIS = 1;
  static final long STORAGE_MILLIS = 1;

  final SimulatedEventQueue queue = new SimulatedEventQueue(new SimulatedTrace(false), 50_000_000);
  final Map<NodeId, Node> nodes = new HashMap<>();
  final List<Envelope> delivered = new ArrayList<>();
  /** Rewrites a message on the way (return null to drop it); identity by default. */
  BiFunction<NodeId, Envelope, Envelope> network = (to, m) -> m;
  TransferSettings settings;

  TransferHarness(TransferSettings settings) {
    this.settings = settings;
  }

  Node node(String name) {
    return nodes.computeIfAbsent(NodeId.of(name), id -> new Node(id));
  }

  /** One node: its storage survives crashes; its service and pending events do not. */
  final class Node {
    final NodeId id;
    final InMemoryStorageEngine engine = new InMemoryStorageEngine();
    final Clock clock = new SimulatedClock(queue, 0);
    LocalReplica replica;
    TransferService service;
    private Incarnation current;

    Node(NodeId id) {
      this.id = id;
      boot();
    }

    private void boot() {
      current = new Incarnation();
      replica = new LocalReplica(engine, 10);
      Incarnation inc = current;
      service = new TransferService(id, settings, replica, bucket -> ConflictMode.SIBLINGS,
          TransferService.SourcePolicy.ANY, clock, inc.scheduler(), inc.storage(),
          (to, m) -> send(id, to, m));
    }

    /** Loses everything in memory (timers, outstanding storage work, the service); keeps storage. */
    void crashAndRestart() {
      current.alive = false;
      boot();
    }

    Incarnation incarnation() {
      return current;
    }
  }

  /** Work of one node incarnation runs only while it is alive. */
  final class Incarnation {
    boolean alive = true;

    Scheduler scheduler() {
      return (delay, task) -> {
        SimulatedEventQueue.Handle h = queue.schedule(delay, "task", () -> {
          if (alive) {
            task.run();
          }
        });
        return h::cancel;
      };
    }

    StorageExecutor storage() {
      return new StorageExecutor() {
        @Override
        public <T> void execute(Callable<T> work, BiConsumer<T, Throwable> onDone) {
          queue.schedule(STORAGE_MILLIS, "storage", () -> {
            if (!alive) {
              return;
            }
            T result = null;
            Throwable failure = null;
            try {
              result = work.call();
            } catch (Exception e) {
              failure = e;
            }
            T r = result;
            Throwable f = failure;
            queue.schedule(0, "storage-done", () -> {
              if (alive) {
                onDone.accept(r, f);
              }
            });
          });
        }
      };
    }
  }

  private void send(NodeId from, NodeId to, Envelope message) {
    Envelope m = network.apply(to, message);
    if (m == null) {
      return;
    }
    Node target = nodes.get(to);
    Incarnation inc = target.incarnation();
    queue.schedule(LATENCY_MILLIS, "net", () -> {
      if (inc.alive) {
        delivered.add(m);
        target.service.onMessage(from, m);
      }
    });
  }
}

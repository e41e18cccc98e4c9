package io.dynamo.server;

import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.dynamo.server.storage.WalGroups;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The node's protocol shards, one per Netty I/O event loop: shard {@code i} runs on loop {@code i},
 * so a message decoded on the loop of its shard is handled where it was read, with no thread
 * hand-off, and one decoded elsewhere is handed over once. Storage work either runs on the shard's
 * loop itself ({@code storage.threads=0}: no hand-off at all, but a slow disk read stalls the
 * loop's connections) or on a shared pool whose results come back to the shard's loop.
 *
 * <p>On the loop, the storage work of one turn shares one write-ahead-log write ({@link WalGroups}):
 * its writes leave their log records buffered, and their results (the acknowledgements, the
 * forwarded copies, the answers) are held until one flush at the end of the turn has handed every
 * record to the OS. Nothing that depends on a write leaves the node before that write would survive
 * a crash of the process.
 */
final class ProtocolShards implements AutoCloseable {
  private final Shard[] shards;
  private final ThreadPoolExecutor storagePool;
  private final Duration shutdownGrace;
  private final WalGroups wal;

  ProtocolShards(
      EventLoopGroup ioGroup, int storageThreads, int storageQueue, Duration shutdownGrace, WalGroups wal) {
    this.shutdownGrace = shutdownGrace;
    this.wal = wal;
    this.storagePool =
        storageThreads == 0
            ? null
            : new ThreadPoolExecutor(
                storageThreads, storageThreads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(storageQueue), new DefaultThreadFactory("storage", true));
    List<Shard> out = new ArrayList<>();
    for (EventExecutor executor : ioGroup) {
      out.add(new Shard((EventLoop) executor));
    }
    this.shards = out.toArray(new Shard[0]);
  }

  int count() {
    return shards.length;
  }

  Shard shard(int index) {
    return shards[index];
  }

  /** Storage tasks waiting for a storage thread; 0 when storage runs on the shard loops. */
  int storageQueueDepth() {
    return storagePool == null ? 0 : storagePool.getQueue().size();
  }

  /** Tasks queued on shard {@code index}'s loop (messages handed over, storage results), or -1. */
  int pendingTasks(int index) {
    return shards[index].loop instanceof SingleThreadEventExecutor e ? e.pendingTasks() : -1;
  }

  /** One shard's thread: the protocol's scheduler and its storage executor. */
  final class Shard implements Scheduler, StorageExecutor {
    private final EventLoop loop;
    /** Results of this turn's storage work, held until the turn's WAL flush (loop-confined). */
    private final List<Held<?>> held = new ArrayList<>();

    private Shard(EventLoop loop) {
      this.loop = loop;
    }

    EventLoop loop() {
      return loop;
    }

    /**
     * Runs {@code task} on the shard's loop: at once when called there (a message read on the
     * shard's own loop), else queued. Dropped once the node is shutting down.
     */
    void execute(Runnable task) {
      if (loop.inEventLoop()) {
        task.run();
      } else {
        post(task);
      }
    }

    private void post(Runnable task) {
      try {
        loop.execute(task);
      } catch (RejectedExecutionException e) {
        if (!loop.isShuttingDown()) {
          throw e;
        }
        // Shutting down: messages and storage results still in flight have nowhere to go.
      }
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
      if (delayMillis <= 0) {
        post(task); // always later: callers rely on a task scheduled now not running inside them
        return () -> {};
      }
      try {
        ScheduledFuture<?> f = loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
      } catch (RejectedExecutionException e) {
        if (!loop.isShuttingDown()) {
          throw e;
        }
        return () -> {};
      }
    }

    @Override
    public <T> void execute(Callable<T> work, BiConsumer<T, Throwable> onDone) {
      if (storagePool == null) {
        runGrouped(work, onDone);
        return;
      }
      try {
        storagePool.execute(() -> runAndHandBack(work, onDone));
      } catch (RejectedExecutionException e) {
        if (!storagePool.isShutdown()) {
          post(() -> onDone.accept(null, e));
        }
        // Shutting down: the work is dropped, as it would be by a crash; the protocol copes.
      }
    }

    /**
     * Runs {@code work} here, on the loop, as part of this turn's WAL group. Its outcome is delivered
     * on a later turn of the loop, as from a pool (the protocol never sees its own call re-entered):
     * at once if nothing of this turn waits for the WAL, else after the turn's one flush, with every
     * other outcome held for it. A read is held too: it may have read a write not yet flushed.
     */
    private <T> void runGrouped(Callable<T> work, BiConsumer<T, Throwable> onDone) {
      T result = null;
      Throwable error = null;
      boolean unflushed;
      wal.openGroup();
      try {
        result = work.call();
      } catch (Throwable t) {
        error = t;
      } finally {
        unflushed = wal.closeGroup();
      }
      if (!unflushed && held.isEmpty()) {
        T r = result;
        Throwable e = error;
        post(() -> onDone.accept(r, e));
        return;
      }
      held.add(new Held<>(onDone, result, error));
      if (held.size() == 1) {
        post(this::flushAndDeliver); // after the rest of this turn's reads and tasks
      }
    }

    private void flushAndDeliver() {
      Throwable failure = null;
      try {
        wal.flushWal();
      } catch (RuntimeException e) {
        failure = e; // the writes are not durable: every held outcome fails with the flush
      }
      List<Held<?>> now = new ArrayList<>(held);
      held.clear();
      for (Held<?> h : now) {
        h.deliver(failure);
      }
    }

    /** Runs {@code work} here and queues its outcome for the shard's loop. */
    private <T> void runAndHandBack(Callable<T> work, BiConsumer<T, Throwable> onDone) {
      T result = null;
      Throwable error = null;
      try {
        result = work.call();
      } catch (Throwable t) {
        error = t;
      }
      T r = result;
      Throwable e = error;
      post(() -> onDone.accept(r, e));
    }
  }

  /** A storage outcome held for its turn's WAL flush. */
  private record Held<T>(BiConsumer<T, Throwable> onDone, T result, Throwable error) {
    void deliver(Throwable flushFailure) {
      if (flushFailure != null) {
        onDone.accept(null, error != null ? error : flushFailure);
      } else {
        onDone.accept(result, error);
      }
    }
  }

  /** Stops taking storage work and lets what is queued finish; the loops stop with their group. */
  @Override
  public void close() {
    if (storagePool == null) {
      return;
    }
    storagePool.shutdown();
    try {
      if (!storagePool.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        storagePool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.dynamo.server;

import io.dynamo.core.runtime.Scheduler;
import io.dynamo.core.runtime.StorageExecutor;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The one thread that runs a node's protocol, with its timers, and the pool that runs storage work
 * for it. I/O threads only decode frames and hand them over; storage threads hand results back.
 */
final class ProtocolThread implements Scheduler, StorageExecutor, AutoCloseable {
  private final EventLoop loop = new DefaultEventLoop(new DefaultThreadFactory("protocol", true));
  private final ExecutorService storagePool;
  private final Duration shutdownGrace;

  ProtocolThread(int storageThreads, Duration shutdownGrace) {
    this.shutdownGrace = shutdownGrace;
    this.storagePool =
        new ThreadPoolExecutor(
            storageThreads, storageThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
            new DefaultThreadFactory("storage", true));
  }

  /** Runs {@code task} on the protocol thread; dropped once the node is shutting down. */
  void execute(Runnable task) {
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
      execute(task);
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
    try {
      storagePool.execute(
          () -> {
            T result = null;
            Throwable error = null;
            try {
              result = work.call();
            } catch (Throwable t) {
              error = t;
            }
            T r = result;
            Throwable e = error;
            execute(() -> onDone.accept(r, e));
          });
    } catch (RejectedExecutionException e) {
      if (!storagePool.isShutdown()) {
        execute(() -> onDone.accept(null, e));
      }
      // Shutting down: the work is dropped, as it would be by a crash; the protocol copes.
    }
  }

  /** Stops taking storage work, lets what is queued finish, then stops the protocol thread. */
  @Override
  public void close() {
    storagePool.shutdown();
    try {
      if (!storagePool.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        storagePool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}

package io.dynamo.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.netty.NettyRuntime;
import io.dynamo.server.storage.WalGroups;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage work of one turn of a shard's loop shares one WAL flush, and no outcome of that turn
 * (a write's acknowledgement, or a read that may have seen the write) is delivered before it.
 */
class ProtocolShardsWalGroupTest {
  EventLoopGroup loops;
  final List<String> events = new CopyOnWriteArrayList<>();
  final RecordingWal wal = new RecordingWal();
  ProtocolShards shards;

  @BeforeEach
  void start() {
    loops = NettyRuntime.newGroup(1, "test-shard");
    shards = new ProtocolShards(loops, 0, 16, Duration.ofSeconds(1), wal);
  }

  @AfterEach
  void stop() throws InterruptedException {
    shards.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }

  @Test
  void outcomesOfOneTurnWaitForOneFlushAfterTheirWrites() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ProtocolShards.Shard shard = shards.shard(0);
    shard.execute(() -> {
      shard.execute(() -> write("w1"), (r, e) -> events.add("deliver " + r));
      shard.execute(() -> write("w2"), (r, e) -> events.add("deliver " + r));
      shard.execute(() -> read("r1"), (r, e) -> {
        events.add("deliver " + r);
        done.complete(null);
      });
      events.add("turn ends");
    });
    done.get(10, TimeUnit.SECONDS);

    assertThat(events)
        .containsExactly(
            "write w1", "write w2", "read r1", "turn ends",
            "flush", "deliver w1", "deliver w2", "deliver r1");
  }

  @Test
  void aTurnWithoutWritesFlushesNothing() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ProtocolShards.Shard shard = shards.shard(0);
    shard.execute(() -> shard.execute(() -> read("r1"), (r, e) -> {
      events.add("deliver " + r);
      done.complete(null);
    }));
    done.get(10, TimeUnit.SECONDS);

    assertThat(events).containsExactly("read r1", "deliver r1");
  }

  @Test
  void aFailedFlushFailsEveryOutcomeItHeld() throws Exception {
    wal.failFlush = true;
    CompletableFuture<Void> done = new CompletableFuture<>();
    ProtocolShards.Shard shard = shards.shard(0);
    shard.execute(() -> {
      shard.execute(() -> write("w1"), (r, e) -> events.add("deliver " + r + " " + message(e)));
      shard.execute(() -> read("r1"), (r, e) -> {
        events.add("deliver " + r + " " + message(e));
        done.complete(null);
      });
    });
    done.get(10, TimeUnit.SECONDS);

    assertThat(events)
        .containsExactly(
            "write w1", "read r1", "flush", "deliver null disk full", "deliver null disk full");
  }

  @Test
  void theNextTurnStartsANewGroup() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ProtocolShards.Shard shard = shards.shard(0);
    shard.execute(() -> shard.execute(() -> write("w1"), (r, e) -> {
      events.add("deliver " + r);
      // Started while delivering: part of a later turn, with a flush of its own.
      shard.execute(() -> write("w2"), (r2, e2) -> {
        events.add("deliver " + r2);
        done.complete(null);
      });
    }));
    done.get(10, TimeUnit.SECONDS);

    assertThat(events)
        .containsExactly("write w1", "flush", "deliver w1", "write w2", "flush", "deliver w2");
  }

  private String write(String name) {
    assertThat(wal.open).as("storage work runs inside a group").isTrue();
    wal.wrote = true;
    events.add("write " + name);
    return name;
  }

  private String read(String name) {
    assertThat(wal.open).as("storage work runs inside a group").isTrue();
    events.add("read " + name);
    return name;
  }

  private static String message(Throwable e) {
    return e == null ? "ok" : e.getMessage();
  }

  /** Stands in for the engine's groups: which work wrote, and when the flush came. */
  final class RecordingWal implements WalGroups {
    volatile boolean open;
    volatile boolean wrote;
    volatile boolean failFlush;

    @Override
    public void openGroup() {
      open = true;
    }

    @Override
    public boolean closeGroup() {
      open = false;
      boolean w = wrote;
      wrote = false;
      return w;
    }

    @Override
    public void flushWal() {
      events.add("flush");
      if (failFlush) {
        throw new IllegalStateException("disk full");
      }
    }
  }
}

package io.dynamo.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a crash of the process keeps of writes made in a WAL group: a child JVM writes and then
 * halts without closing anything (as kill -9 would stop it), and the test opens its data again.
 */
class WalGroupCrashTest {
  static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
  static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  @Test
  void aWriteOutsideAGroupSurvivesTheCrash() throws Exception {
    crashAfter("plain");
    assertThat(valueAfterRestart()).isEqualTo(VALUE);
  }

  @Test
  void aGroupsWritesSurviveTheCrashOnceFlushed() throws Exception {
    crashAfter("group-flushed");
    assertThat(valueAfterRestart()).isEqualTo(VALUE);
  }

  @Test
  void aSyncedBatchInAGroupIsFlushedAtOnce() throws Exception {
    crashAfter("group-sync");
    assertThat(valueAfterRestart()).isEqualTo(VALUE);
  }

  /** Why nothing may leave the node before the flush: until then the write is only in memory. */
  @Test
  void aGroupsWritesAreLostByACrashBeforeTheFlush() throws Exception {
    crashAfter("group-unflushed");
    assertThat(valueAfterRestart()).isNull();
  }

  private byte[] valueAfterRestart() {
    try (RocksDbStorageEngine engine =
        RocksDbStorageEngine.open(dir, false, true, RocksDbStorageEngineTest.SMALL)) {
      return engine.get(Keyspace.META, KEY);
    }
  }

  private void crashAfter(String mode) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(), "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), dir.toString(), mode)
            .redirectErrorStream(true)
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(output).contains("written, halting");
    assertThat(child.exitValue()).as(output).isEqualTo(0);
  }

  /** Writes one key as {@code mode} says, then halts: no close, no shutdown hooks. */
  public static final class Child {
    public static void main(String[] args) {
      RocksDbStorageEngine engine =
          RocksDbStorageEngine.open(Path.of(args[0]), false, true, RocksDbStorageEngineTest.SMALL);
      WriteBatch batch = new WriteBatch().put(Keyspace.META, KEY, VALUE);
      switch (args[1]) {
        case "plain" -> engine.write(batch);
        case "group-flushed", "group-unflushed", "group-sync" -> {
          engine.openGroup();
          engine.write(args[1].equals("group-sync") ? batch.requireSync() : batch);
          if (!engine.closeGroup() && !args[1].equals("group-sync")) {
            throw new AssertionError("a write in a group should wait for the flush");
          }
          if (args[1].equals("group-flushed")) {
            engine.flushWal();
          }
        }
        default -> throw new IllegalArgumentException(args[1]);
      }
      System.out.println("written, halting");
      System.out.flush();
      Runtime.getRuntime().halt(0);
    }
  }
}

package io.dynamo.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.RequestOptions;
import io.dynamo.client.Session;
import io.dynamo.client.SessionGuarantee;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Properties;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session guarantees against a replica that lags: three nodes with hinted handoff, read repair and
 * anti-entropy off, so a node that was down while a session wrote stays behind. Gets with R=1 are
 * then answered by whichever replica coordinates them: without the guarantee some come back from
 * the lagging node, older than the session's own write; with it, never.
 */
class SessionGuaranteesIT {
  private static final String BUCKET = "session";
  private static final int KEYS = 20;

  @TempDir Path dir;

  private static final Consumer<Properties> NOTHING_CATCHES_UP = p -> {
    p.setProperty("failure-detector.heartbeat-interval", "100ms");
    p.setProperty("failure-detector.acceptable-pause", "1s");
    p.setProperty("request.timeout", "2s");
    p.setProperty("handoff.enabled", "false");
    p.setProperty("read-repair.enabled", "false");
    p.setProperty("anti-entropy.enabled", "false");
  };

  @Test
  void aSessionNeverReadsOlderThanItsOwnWritesWhileAPlainClientCan() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3, dir, NOTHING_CATCHES_UP)) {
      DynamoClient client = cluster.partitionAwareClient(b -> {});
      client.mapLoaded().get(30, java.util.concurrent.TimeUnit.SECONDS);
      Session session = client.session(EnumSet.allOf(SessionGuarantee.class), 1_000);
      for (int k = 0; k < KEYS; k++) {
        session.put(BUCKET, key(k), Context.NONE, "old".getBytes(UTF_8));
      }
      // n3 misses the new versions: it is down while the session writes them (W=2 on n1, n2).
      cluster.stopNode(2);
      cluster.awaitMutualView();
      for (int k = 0; k < KEYS; k++) {
        GetResult r = session.get(BUCKET, key(k));
        session.put(BUCKET, key(k), r.context(), "new".getBytes(UTF_8));
      }
      cluster.restartNode(2);
      // Reads are to reach n3 as often as the others: once the client's map has it up again.
      Awaitility.await("the client's map has n3 up").atMost(Duration.ofSeconds(30))
          .until(() -> Boolean.TRUE.equals(client.mapMembers().get("n3")));

      RequestOptions oneReplica = RequestOptions.r(1);
      // Each R=1 get goes to a random one of the 3 replicas, so about a third reach n3; which ones
      // do depends on the client's view of n3's health on this loaded machine, so each phase
      // reads until it has seen what it must (or gives up after a minute).
      AtomicInteger plainStale = new AtomicInteger();
      Awaitility.await("a plain R=1 get returns a version older than the write")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            readEveryKey(k -> client.get(BUCKET, key(k).getBytes(UTF_8), oneReplica), plainStale);
            return plainStale.get() > 0;
          });

      // The session, over the same replicas, never returns the older version: it reads again.
      Awaitility.await("a session get finds n3's answer older and reads again")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            AtomicInteger sessionStale = new AtomicInteger();
            readEveryKey(k -> session.getAsync(BUCKET, key(k).getBytes(UTF_8), oneReplica).get(), sessionStale);
            assertThat(sessionStale.get()).as("session reads older than the session's write").isZero();
            return client.meterRegistry().get("dynamo.client.session.rereads").counter().count() > 0;
          });

      // A session without read-your-writes gives no such promise: it reads what it is given.
      Session none = client.session(EnumSet.noneOf(SessionGuarantee.class), 1_000);
      AtomicInteger noneStale = new AtomicInteger();
      Awaitility.await("a session without guarantees returns an older version")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            readEveryKey(k -> none.getAsync(BUCKET, key(k).getBytes(UTF_8), oneReplica).get(), noneStale);
            return noneStale.get() > 0;
          });
    }
  }

  /** A read of key {@code k}. */
  private interface Read {
    GetResult of(int k) throws Exception;
  }

  /** Reads every key once, counting the answers older than the session's write in {@code stale}. */
  private static void readEveryKey(Read read, AtomicInteger stale) throws Exception {
    for (int k = 0; k < KEYS; k++) {
      if (!isNew(read.of(k))) {
        stale.incrementAndGet();
      }
    }
  }

  private static boolean isNew(GetResult r) {
    return r.values().size() == 1 && new String(r.values().get(0), UTF_8).equals("new");
  }

  private static String key(int k) {
    return "key-" + k;
  }
}

package io.dynamo.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.node.ReadPolicy;
import io.dynamo.core.version.ConflictMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private static Properties valid() {
    Properties p = new Properties();
    p.setProperty("node.id", "n1");
    p.setProperty("listen.client", "127.0.0.1:7100");
    p.setProperty("listen.peer", "127.0.0.1:7101");
    p.setProperty("data.dir", "data/n1");
    p.setProperty("members", "n1, n2, n3");
    for (int i = 1; i <= 3; i++) {
      p.setProperty("member.n" + i + ".client", "127.0.0.1:71" + i + "0");
      p.setProperty("member.n" + i + ".peer", "127.0.0.1:71" + i + "1");
    }
    return p;
  }

  @Test
  void defaultsApplyAndPathsResolveAgainstTheFile() {
    NodeConfig c = ConfigLoader.from(valid(), Path.of("/etc/dynamo"));
    assertThat(c.dataDir()).isEqualTo(Path.of("/etc/dynamo/data/n1"));
    assertThat(c.partitions()).isEqualTo(256);
    assertThat(c.defaultBucket().n()).isEqualTo(3);
    assertThat(c.defaultBucket().r()).isEqualTo(2);
    assertThat(c.protocol().requestTimeoutMillis()).isEqualTo(5_000);
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.members()).hasSize(3);
    assertThat(c.storageThreads()).as("storage runs on the shard loops without fsync").isZero();
  }

  @Test
  void timedBucketsAreTheConfiguredOnesAndThoseMetricsBucketsNames() {
    Properties p = valid();
    p.setProperty("bucket.sessions.n", "2");
    p.setProperty("metrics.buckets", "users, orders");
    assertThat(ConfigLoader.from(p, Path.of(".")).taggedBuckets())
        .containsExactlyInAnyOrder("sessions", "users", "orders");
    assertThat(ConfigLoader.from(valid(), Path.of(".")).taggedBuckets()).isEmpty();
  }

  @Test
  void metricsBucketsMustBeValidBucketNames() {
    Properties p = valid();
    p.setProperty("metrics.buckets", "users, bad name");
    assertThatThrownBy(() -> ConfigLoader.from(p, Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics.buckets")
        .hasMessageContaining("bad name");
  }

  @Test
  void aNodeWithoutMembersFindsItsClusterThroughSeeds() {
    Properties p = new Properties();
    p.setProperty("node.id", "n4");
    p.setProperty("listen.client", "0.0.0.0:7130");
    p.setProperty("listen.peer", "0.0.0.0:7131");
    p.setProperty("node.advertise.peer", "10.0.0.4:7131");
    p.setProperty("node.capacity", "2");
    p.setProperty("node.zone", "b");
    p.setProperty("data.dir", "data/n4");
    p.setProperty("seeds", "127.0.0.1:7101, 127.0.0.1:7111");
    p.setProperty("cluster.join", "auto");
    NodeConfig c = ConfigLoader.from(p, Path.of("."));
    assertThat(c.members()).isEmpty();
    assertThat(c.seeds()).extracting(HostPort::toString)
        .containsExactly("127.0.0.1:7101", "127.0.0.1:7111");
    assertThat(c.autoJoin()).isTrue();
    assertThat(c.self().peer().toString()).isEqualTo("10.0.0.4:7131");
    assertThat(c.self().client().toString()).as("defaults to the listen address").isEqualTo("0.0.0.0:7130");
    assertThat(c.self().capacity()).isEqualTo(2);
    assertThat(c.self().zone()).isEqualTo("b");

    p.remove("seeds");
    assertThatThrownBy(() -> ConfigLoader.from(p, Path.of(".")))
        .hasMessageContaining("members or seeds");
    p.setProperty("seeds", "127.0.0.1:7101");
    p.setProperty("cluster.join", "sometimes");
    assertThatThrownBy(() -> ConfigLoader.from(p, Path.of("."))).hasMessageContaining("cluster.join");
  }

  @Test
  void aListedNodeDescribesItselfByItsMemberEntry() {
    NodeConfig c = ConfigLoader.from(valid(), Path.of("."));
    assertThat(c.self()).isEqualTo(c.member(c.nodeId()));
    assertThat(c.seeds()).isEmpty();
    assertThat(c.autoJoin()).isFalse();
  }

  @Test
  void syncedStorageRunsOnAPoolByDefault() {
    Properties p = valid();
    p.setProperty("storage.sync", "true");
    assertThat(ConfigLoader.from(p, Path.of(".")).storageThreads()).isEqualTo(4);
    p.setProperty("storage.threads", "2");
    assertThat(ConfigLoader.from(p, Path.of(".")).storageThreads()).isEqualTo(2);
  }

  @Test
  void bucketOverrideThatLowersNLowersInheritedQuorums() {
    Properties p = valid();
    p.setProperty("bucket.cache.n", "1");
    p.setProperty("bucket.sessions.conflict", "last-write-wins");
    NodeConfig c = ConfigLoader.from(p, Path.of("."));
    assertThat(c.buckets().propertiesOf("cache").r()).isEqualTo(1);
    assertThat(c.buckets().propertiesOf("cache").w()).isEqualTo(1);
    assertThat(c.buckets().propertiesOf("sessions").conflictMode())
        .isEqualTo(ConflictMode.LAST_WRITE_WINS);
    assertThat(c.buckets().propertiesOf("other").n()).isEqualTo(3);
  }

  @Test
  void readsAskEveryReplicaByDefaultAndQuorumReadsSpeculate() {
    assertThat(ConfigLoader.from(valid(), Path.of(".")).protocol().reads()).isEqualTo(ReadPolicy.DEFAULT);
    assertThat(ReadPolicy.DEFAULT.fanout()).isEqualTo(ReadPolicy.Fanout.ALL);
    Properties p = valid();
    p.setProperty("read.fanout", "quorum");
    assertThat(ConfigLoader.from(p, Path.of(".")).protocol().reads())
        .isEqualTo(new ReadPolicy(ReadPolicy.Fanout.QUORUM, ReadPolicy.ADAPTIVE));
    p.setProperty("read.speculative-retry", "15ms");
    assertThat(ConfigLoader.from(p, Path.of(".")).protocol().reads().speculateAfterMillis()).isEqualTo(15);
    p.setProperty("read.speculative-retry", "never");
    assertThat(ConfigLoader.from(p, Path.of(".")).protocol().reads().speculateAfterMillis())
        .isEqualTo(ReadPolicy.NEVER);
    assertError("read.fanout", "some");
    assertError("read.speculative-retry", "0ms");
    assertError("read.speculative-retry", "10s");
    assertError("read.speculative-retry", "soon");
  }

  @Test
  void everyErrorNamesItsKey() {
    assertError("ring.partitions", "0");
    assertError("storage.threads", "-1");
    assertError("network.io-threads", "65");
    assertError("version.max-clock-entries", "0");
    assertError("limits.max-key-size", "0");
    assertError("request.timeout", "0ms");
    assertError("request.timeout", "five seconds");
    assertError("member.n2.capacity", "-1");
    Properties quorum = valid();
    quorum.setProperty("bucket.default.r", "4");
    assertThatThrownBy(() -> ConfigLoader.from(quorum, Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bucket.default: r must be between 1 and n=3: 4");
    assertError("listen.client", "localhost");
    assertError("storage.sync", "maybe");
  }

  @Test
  void storageSizesHaveDefaultsAndParseUnits() {
    NodeConfig defaults = ConfigLoader.from(valid(), Path.of("."));
    assertThat(defaults.storageTuning().blockCacheBytes()).isEqualTo(128L << 20);
    assertThat(defaults.storageTuning().writeBufferBytes()).isEqualTo(64L << 20);
    assertThat(defaults.storageTuning().backgroundJobs()).isBetween(2, 4);

    Properties p = valid();
    p.setProperty("storage.block-cache-size", "1GiB");
    p.setProperty("storage.write-buffer-size", "16MiB");
    NodeConfig c = ConfigLoader.from(p, Path.of("."));
    assertThat(c.storageTuning().blockCacheBytes()).isEqualTo(1L << 30);
    assertThat(c.storageTuning().writeBufferBytes()).isEqualTo(16L << 20);
  }

  @Test
  void storageSizesOutOfRangeNameTheirKey() {
    assertError("storage.block-cache-size", "512KiB");
    assertError("storage.block-cache-size", "lots");
    assertError("storage.block-cache-size", "");
    assertError("storage.write-buffer-size", "2GiB");
    assertError("storage.write-buffer-size", "1000");
  }

  @Test
  void unknownKeysAndMissingSelfAreRefused() {
    Properties typo = valid();
    typo.setProperty("request.timeuot", "5s");
    assertThatThrownBy(() -> ConfigLoader.from(typo, Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("request.timeuot");

    Properties notListed = valid();
    notListed.setProperty("node.id", "n9");
    assertThatThrownBy(() -> ConfigLoader.from(notListed, Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("n9");
  }

  @Test
  void frameMustHoldTheLargestValue() {
    Properties p = valid();
    p.setProperty("bucket.big.max-value-size", "32MiB");
    assertThatThrownBy(() -> ConfigLoader.from(p, Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("limits.max-frame-size");
  }

  @Test
  void keyLimitsHaveDefaultsAndTheFrameMustHoldTwiceTheLargestRecord() {
    Properties p = valid();
    p.setProperty("bucket.few.siblings-max", "7");
    NodeConfig config = ConfigLoader.from(p, Path.of("."));
    assertThat(config.buckets().propertiesOf("few").keyLimits().siblingsMax()).isEqualTo(7);
    assertThat(config.buckets().propertiesOf("other").keyLimits())
        .isEqualTo(io.dynamo.core.storage.KeyLimits.DEFAULT);

    p.setProperty("bucket.few.record-max-size", "9MiB");
    assertThatThrownBy(() -> ConfigLoader.from(p, Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("limits.max-frame-size");
  }

  @Test
  void unitsParse() {
    assertThat(Units.bytes("64KiB")).isEqualTo(65_536);
    assertThat(Units.bytes("1MiB")).isEqualTo(1 << 20);
    assertThat(Units.bytes("1024")).isEqualTo(1024);
    assertThat(Units.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Units.duration("2m")).isEqualTo(Duration.ofMinutes(2));
  }

  private static void assertError(String key, String value) {
    Properties p = valid();
    p.setProperty(key, value);
    assertThatThrownBy(() -> ConfigLoader.from(p, Path.of(".")))
        .as("%s=%s", key, value)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(key);
  }

  @Test
  void networkLimitsHaveDefaultsAndAreChecked() {
    NodeConfig c = ConfigLoader.from(valid(), Path.of("."));
    assertThat(c.network().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.network().frameStallTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.network().maxPendingFrameBytes()).isGreaterThanOrEqualTo(2L * c.maxFrameBytes());

    Properties p = valid();
    p.setProperty("network.idle-timeout", "0ms");
    p.setProperty("network.frame-stall-timeout", "3s");
    p.setProperty("network.max-pending-frame-bytes", "256MiB");
    c = ConfigLoader.from(p, Path.of("."));
    assertThat(c.network().idleTimeout()).isZero();
    assertThat(c.network().frameStallTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.network().maxPendingFrameBytes()).isEqualTo(256L << 20);

    Properties stall = valid();
    stall.setProperty("network.frame-stall-timeout", "0s");
    assertThatThrownBy(() -> ConfigLoader.from(stall, Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("network.frame-stall-timeout");
    Properties budget = valid();
    budget.setProperty("network.max-pending-frame-bytes", "16MiB"); // one default frame only
    assertThatThrownBy(() -> ConfigLoader.from(budget, Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("network.max-pending-frame-bytes");
  }

  @Test
  void theDefaultBudgetIsAQuarterOfDirectMemoryButFitsTwoFrames() {
    assertThat(NetworkLimits.defaultMaxPendingFrameBytes(4L << 30, 16 << 20)).isEqualTo(1L << 30);
    assertThat(NetworkLimits.defaultMaxPendingFrameBytes(64L << 20, 16 << 20)).isEqualTo(32L << 20);
  }
}

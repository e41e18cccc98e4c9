package io.dynamo.testkit;

import static io.dynamo.testkit.Bytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The shared checkers report what they must, against a scripted driver. */
class CheckersTest {
  /** Reads answer from {@code reads}, each node's own copy from {@code local}; every key homed on n1..n3. */
  private static final class ScriptedDriver implements ClusterDriver {
    final Map<String, List<String>> reads = new HashMap<>();
    final Map<String, List<String>> local = new HashMap<>();
    int puts;

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public Set<Capability> capabilities() {
      return EnumSet.of(Capability.LOCAL_GET);
    }

    @Override
    public List<String> nodes() {
      return List.of("n1", "n2", "n3", "n4");
    }

    @Override
    public int replicas(String bucket) {
      return 3;
    }

    @Override
    public List<String> homeReplicas(String bucket, byte[] key) {
      return List.of("n1", "n2", "n3");
    }

    private static Outcome values(List<String> values) {
      return values == null
          ? Outcome.failed(Outcome.Status.TIMEOUT, "no answer")
          : Outcome.ok(values.stream().map(Bytes::utf8).toList(), new byte[] {1}, false);
    }

    @Override
    public Outcome get(String node, String bucket, byte[] key, int r) {
      return values(reads.get(Bytes.string(key)));
    }

    @Override
    public Outcome put(String node, String bucket, byte[] key, byte[] context, byte[] value, int w) {
      return ++puts % 2 == 0
          ? Outcome.failed(Outcome.Status.QUORUM_UNAVAILABLE, "every second put fails")
          : Outcome.written(new byte[] {(byte) puts});
    }

    @Override
    public Outcome delete(String node, String bucket, byte[] key, byte[] context, int w) {
      return Outcome.written(new byte[0]);
    }

    @Override
    public Outcome localGet(String node, String bucket, byte[] key) {
      return values(local.get(node + "/" + Bytes.string(key)));
    }

    @Override
    public boolean await(Duration within, BooleanSupplier condition) {
      return condition.getAsBoolean();
    }

    @Override
    public void close() {}
  }

  @Test
  void historyKeepsOnlyAcknowledgedPutsAndTheirContexts() {
    ScriptedDriver driver = new ScriptedDriver();
    AcknowledgedWrites history = new AcknowledgedWrites("b");
    assertThat(history.put(driver, "n1", "k", "v1", 2).isOk()).isTrue();
    assertThat(history.put(driver, "n1", "k", "v2", 2).isOk()).isFalse();
    assertThat(history.values()).containsExactly(Map.entry("k", "v1"));
    assertThat(history.context("k")).containsExactly(1);
    assertThat(history.failures()).isEqualTo(1);
    assertThat(history.context("other")).isEmpty();
  }

  @Test
  void readsReportLostAndUnreadableWrites() {
    ScriptedDriver driver = new ScriptedDriver();
    AcknowledgedWrites history = new AcknowledgedWrites("b");
    history.acknowledged("present", "v", new byte[0]);
    history.acknowledged("sibling", "v", new byte[0]);
    history.acknowledged("lost", "v2", new byte[0]);
    history.acknowledged("silent", "v", new byte[0]);
    driver.reads.put("present", List.of("v"));
    driver.reads.put("sibling", List.of("w", "v"));
    driver.reads.put("lost", List.of("v1"));
    assertThat(AcknowledgedWritesChecker.viaReads(driver, history, "n1", 3))
        .containsExactly("lost: lost: acknowledged v2, read [v1]", "unreadable: silent: TIMEOUT: no answer");
  }

  @Test
  void homeReplicasMustHoldExactlyTheLatestValue() {
    ScriptedDriver driver = new ScriptedDriver();
    AcknowledgedWrites history = new AcknowledgedWrites("b");
    history.acknowledged("k", "v2", new byte[0]);
    driver.local.put("n1/k", List.of("v2"));
    driver.local.put("n2/k", List.of("v1"));
    driver.local.put("n3/k", List.of());
    driver.local.put("n4/k", List.of("anything: not a home replica"));
    assertThat(AcknowledgedWritesChecker.viaHomeReplicas(driver, history))
        .containsExactly(
            "n2 is stale on k: holds [v1], latest acknowledged v2",
            "n3 misses k: holds [], latest acknowledged v2");
    assertThat(AcknowledgedWritesChecker.viaHomeReplicas(driver, history, List.of("n1"))).isEmpty();
  }

  @Test
  void siblingCheckerReportsMissingUnknownAndDuplicatedValues() {
    Outcome read = Outcome.ok(List.of(utf8("a"), utf8("x"), utf8("a")), new byte[0], false);
    List<String> problems =
        new ArrayList<>(SiblingChecker.siblingsAfterConcurrentWrites(read, Set.of("a", "b"), Set.of("a", "b")));
    assertThat(problems)
        .containsExactlyInAnyOrder(
            "acknowledged concurrent write b is not a sibling: read [a, x, a]",
            "read returned a value nobody wrote: x",
            "value a returned twice by one read: [a, x, a]");
    assertThat(SiblingChecker.siblingsAfterConcurrentWrites(
            Outcome.failed(Outcome.Status.TIMEOUT, "t"), Set.of(), Set.of()))
        .hasSize(1);
  }

  @Test
  void missingCapabilitiesSkipRatherThanFail() {
    ClusterSpec spec = ClusterSpec.of(3, "x", ClusterDriver.Capability.JOIN);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> spec.assumeSupportedBy("scripted", Set.of(ClusterDriver.Capability.LOCAL_GET)))
        .isInstanceOf(org.opentest4j.TestAbortedException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ScriptedDriver().kill("n1"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}

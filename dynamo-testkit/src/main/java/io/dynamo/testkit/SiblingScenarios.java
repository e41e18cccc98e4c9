package io.dynamo.testkit;

import static io.dynamo.testkit.Bytes.NO_CONTEXT;
import static io.dynamo.testkit.Bytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Siblings on a healthy 3-node cluster: writes that did not see each other (blind, or all with
 * the same stale context), through different coordinators, all survive as siblings of one read;
 * a write with that read's (merged) context resolves them to one value.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SiblingScenarios {
  protected static final String BUCKET = "scenarios";

  protected ClusterDriver driver;

  protected abstract ClusterDriver newDriver(ClusterSpec spec);

  @BeforeAll
  void startCluster() {
    driver = newDriver(ClusterSpec.of(3, "siblings"));
  }

  @AfterAll
  void stopCluster() {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void concurrentBlindWritesBecomeSiblingsAndAMergedWriteResolvesThem() {
    byte[] key = utf8("cart");
    List<String> nodes = driver.nodes();
    driver.put(nodes.get(0), BUCKET, key, NO_CONTEXT, utf8("apple"), 0).orFail("put apple");
    driver.put(nodes.get(1), BUCKET, key, NO_CONTEXT, utf8("banana"), 0).orFail("put banana");
    Outcome read = driver.get(nodes.get(2), BUCKET, key, 3).orFail("get");
    Set<String> both = Set.of("apple", "banana");
    assertThat(SiblingChecker.siblingsAfterConcurrentWrites(read, both, both)).isEmpty();
    assertThat(read.strings()).hasSize(2);

    driver.put(nodes.get(2), BUCKET, key, read.context(), utf8("apple,banana"), 0).orFail("merged put");
    for (String n : nodes) {
      assertThat(driver.get(n, BUCKET, key, 3).orFail("get").strings())
          .as("through %s", n)
          .containsExactly("apple,banana");
    }
  }

  @Test
  void writesWithOneStaleContextBecomeSiblingsThatReplaceTheValueTheyRead() {
    byte[] key = utf8("doc");
    List<String> nodes = driver.nodes();
    driver.put(nodes.get(0), BUCKET, key, NO_CONTEXT, utf8("draft"), 3).orFail("put draft");
    byte[] stale = driver.get(nodes.get(0), BUCKET, key, 3).orFail("get draft").context();
    Set<String> written = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      String value = "edit-" + i;
      driver.put(nodes.get(i), BUCKET, key, stale, utf8(value), 0).orFail("put " + value);
      written.add(value);
    }
    Outcome read = driver.get(nodes.get(1), BUCKET, key, 3).orFail("get");
    assertThat(SiblingChecker.siblingsAfterConcurrentWrites(read, written, written)).isEmpty();
    assertThat(read.strings()).as("the draft every edit read is gone").doesNotContain("draft");

    driver.put(nodes.get(1), BUCKET, key, read.context(), utf8("final"), 0).orFail("merged put");
    assertThat(driver.get(nodes.get(2), BUCKET, key, 3).orFail("get").strings()).containsExactly("final");
  }
}

package io.dynamo.testkit;

import static io.dynamo.testkit.Bytes.NO_CONTEXT;
import static io.dynamo.testkit.Bytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Reads and writes on a healthy 3-node cluster: put then get through every node, an overwrite with
 * the context replaces the value, a delete with the context removes it and a write after it wins,
 * an absent key. One cluster for the class; each test uses its own keys. Bind it to a driver by
 * extending it and implementing {@link #newDriver}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BasicScenarios {
  protected static final String BUCKET = "scenarios";

  protected ClusterDriver driver;

  /** A running cluster as {@code spec} asks; the scenario closes it. */
  protected abstract ClusterDriver newDriver(ClusterSpec spec);

  @BeforeAll
  void startCluster() {
    driver = newDriver(ClusterSpec.of(3, "basic"));
  }

  @AfterAll
  void stopCluster() {
    if (driver != null) {
      driver.close();
    }
  }

  private String node(int i) {
    return driver.nodes().get(i);
  }

  @Test
  void putThenGetThroughEveryNode() {
    driver.put(node(0), BUCKET, utf8("k1"), NO_CONTEXT, utf8("v1"), 0).orFail("put");
    for (String n : driver.nodes()) {
      Outcome read = driver.get(n, BUCKET, utf8("k1"), 0).orFail("get through " + n);
      assertThat(read.strings()).as("read through %s on %s", n, driver.name()).containsExactly("v1");
      assertThat(read.context()).isNotEmpty();
    }
  }

  @Test
  void absentKeyHasNoValuesAndNoContext() {
    Outcome read = driver.get(node(1), BUCKET, utf8("never-written"), 0).orFail("get");
    assertThat(read.found()).isFalse();
    assertThat(read.deleted()).isFalse();
    assertThat(read.context()).isEmpty();
  }

  @Test
  void writeWithContextReplacesTheValueRead() {
    byte[] c1 = driver.put(node(0), BUCKET, utf8("counter"), NO_CONTEXT, utf8("1"), 0).orFail("put 1").context();
    driver.put(node(1), BUCKET, utf8("counter"), c1, utf8("2"), 0).orFail("put 2");
    Outcome read = driver.get(node(2), BUCKET, utf8("counter"), 3).orFail("get");
    assertThat(read.strings()).containsExactly("2");
  }

  @Test
  void overwriteWithTheContextOfAReadReplacesTheValue() {
    driver.put(node(0), BUCKET, utf8("profile"), NO_CONTEXT, utf8("old"), 0).orFail("put");
    Outcome before = driver.get(node(1), BUCKET, utf8("profile"), 0).orFail("get");
    driver.put(node(2), BUCKET, utf8("profile"), before.context(), utf8("new"), 0).orFail("overwrite");
    for (String n : driver.nodes()) {
      assertThat(driver.get(n, BUCKET, utf8("profile"), 3).orFail("get").strings()).containsExactly("new");
    }
  }

  @Test
  void deleteRemovesTheValueAndAWriteAfterItWins() {
    driver.put(node(0), BUCKET, utf8("gone"), NO_CONTEXT, utf8("x"), 0).orFail("put");
    Outcome before = driver.get(node(0), BUCKET, utf8("gone"), 0).orFail("get");
    driver.delete(node(1), BUCKET, utf8("gone"), before.context(), 0).orFail("delete");
    Outcome after = driver.get(node(2), BUCKET, utf8("gone"), 3).orFail("get after delete");
    assertThat(after.found()).isFalse();
    assertThat(after.deleted()).isTrue();

    driver.put(node(2), BUCKET, utf8("gone"), after.context(), utf8("back"), 0).orFail("put after delete");
    assertThat(driver.get(node(0), BUCKET, utf8("gone"), 0).orFail("get").strings())
        .isEqualTo(List.of("back"));
  }
}

package io.dynamo.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.testkit.ClusterDriver.Capability;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Membership changes under the same checkers: a node that leaves or is removed no longer owns
 * data, and every acknowledged write is still readable and held by each new home replica. The
 * in-process cluster runs them (leave and remove through the claimant); drivers without the
 * capability skip them (JUnit assumptions). The multi-process run of joins, leaves and removes
 * under load is scripts/membership-run.sh.
 */
public abstract class MembershipScenarios {
  protected static final String BUCKET = "scenarios";
  private static final int KEYS = 30;

  protected abstract ClusterDriver newDriver(ClusterSpec spec);

  @Test
  void aNodeThatLeavesHandsItsDataToTheNewOwners() {
    run(Capability.LEAVE, (driver, node) -> driver.leave(node));
  }

  @Test
  void aRemovedNodesDataIsRebuiltOnTheNewOwners() {
    run(Capability.REMOVE, (driver, node) -> {
      driver.assume(Capability.KILL_RESTART);
      driver.kill(node);
      driver.remove(node);
    });
  }

  private interface Change {
    void apply(ClusterDriver driver, String node);
  }

  private void run(Capability change, Change action) {
    try (ClusterDriver driver = newDriver(ClusterSpec.of(4, "membership", change, Capability.LOCAL_GET))) {
      String leaving = driver.nodes().get(0);
      List<String> staying = new ArrayList<>(driver.nodes());
      staying.remove(leaving);
      AcknowledgedWrites history = new AcknowledgedWrites(BUCKET);
      for (int i = 0; i < KEYS; i++) {
        history.put(driver, staying.get(i % staying.size()), "m-" + i, "m-" + i + "@1", 2).orFail("put");
      }
      action.apply(driver, leaving);
      driver.awaitOrFail(
          leaving + " owns no key", FailurePathScenarios.SETTLE,
          () -> history.values().keySet().stream()
              .noneMatch(k -> driver.homeReplicas(BUCKET, Bytes.utf8(k)).contains(leaving)));
      assertThat(FailurePathScenarios.settle(
              driver, () -> AcknowledgedWritesChecker.viaHomeReplicas(driver, history, staying)))
          .isEmpty();
      assertThat(AcknowledgedWritesChecker.viaReads(driver, history, staying.get(0), 3)).isEmpty();
    }
  }
}

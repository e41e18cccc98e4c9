package io.dynamo.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.testkit.ClusterDriver.Capability;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node paused (SIGSTOP, a long GC pause) for longer than the failure detector's threshold: it
 * keeps its connections and answers nothing. Writes with W = 2 to keys it is a home replica of keep
 * succeeding throughout, before and after the others see it down; after it resumes it catches up
 * through hints, so its own copies hold the writes made while it was paused.
 *
 * <p>The keys' first home replica is another node: a node that is not a key's home replica
 * forwards a write to the first home replica it believes up, which until the pause is noticed
 * would be the paused node (the multi-process {@code PauseIT} covers that case).
 */
public abstract class PauseScenarios {
  protected static final String BUCKET = "scenarios";
  private static final int KEYS = 40;

  protected abstract ClusterDriver newDriver(ClusterSpec spec);

  @Test
  void writesGoOnWhileANodeIsPausedAndItCatchesUpAfterwards() {
    try (ClusterDriver driver = newDriver(ClusterSpec.of(5, "pause",
        Capability.PAUSE, Capability.FAILURE_VIEW, Capability.HINTS, Capability.LOCAL_GET))) {
      String victim = driver.nodes().get(2);
      List<String> others = new ArrayList<>(driver.nodes());
      others.remove(victim);
      List<String> keys = new ArrayList<>();
      for (int i = 0; keys.size() < KEYS; i++) {
        List<String> homes = driver.homeReplicas(BUCKET, Bytes.utf8("p-" + i));
        if (homes.contains(victim) && !homes.get(0).equals(victim)) {
          keys.add("p-" + i);
        }
      }
      AcknowledgedWrites history = new AcknowledgedWrites(BUCKET);
      List<String> failures = new ArrayList<>();
      int[] round = {0};
      Runnable writeRound = () -> {
        round[0]++;
        for (int i = 0; i < keys.size(); i++) {
          String key = keys.get(i);
          Outcome o = history.put(driver, others.get(i % others.size()), key, key + "@" + round[0], 2);
          if (!o.isOk()) {
            failures.add(key + " in round " + round[0] + ": " + o);
          }
        }
      };
      writeRound.run();
      assertThat(failures).as("writes before the pause").isEmpty();

      driver.pause(victim);
      // Write round after round until every other node sees the paused one down...
      boolean seenDown = driver.await(FailurePathScenarios.SETTLE, () -> {
        writeRound.run();
        return others.stream().allMatch(o -> !driver.believesUp(o, victim));
      });
      assertThat(seenDown).as("%s seen down by %s", victim, others).isTrue();
      // ...and some more while it is known to be down, so substitutes take them as hints.
      for (int i = 0; i < 3; i++) {
        writeRound.run();
      }
      assertThat(failures).as("writes while %s is paused, on %s", victim, driver.name()).isEmpty();
      assertThat(driver.hintsPending()).as("hints for the paused node").isPositive();

      driver.resume(victim);
      FailurePathScenarios.awaitView(driver, others, victim, true);
      driver.awaitOrFail("hints handed off", FailurePathScenarios.SETTLE, () -> driver.hintsPending() == 0);
      assertThat(FailurePathScenarios.settle(
              driver, () -> AcknowledgedWritesChecker.viaHomeReplicas(driver, history, List.of(victim))))
          .as("%s's copies after it resumed", victim)
          .isEmpty();
    }
  }
}

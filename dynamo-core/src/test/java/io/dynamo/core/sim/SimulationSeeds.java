package io.dynamo.core.sim;

import java.util.function.LongConsumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs a simulation body once per seed, as one dynamic test per seed, and turns any failure into one
 * that names the seed and the command replaying it.
 *
 * <ul>
 *   <li>{@code -Dsim.seed=N} runs seed N alone;
 *   <li>{@code -Dsim.seeds=5000} runs that many seeds (soak runs);
 *   <li>{@code -Dsim.seedBase=B} starts at seed B instead of 1, to explore new seeds.
 * </ul>
 */
public final class SimulationSeeds {
  private SimulationSeeds() {}

  /** The seeds a test runs: {@code -Dsim.seed}, else {@code sim.seeds} from {@code sim.seedBase}. */
  public static long[] seeds(int defaultCount) {
    String single = System.getProperty("sim.seed");
    if (single != null && !single.isBlank()) {
      return new long[] {Long.parseLong(single.trim())};
    }
    int count = Integer.getInteger("sim.seeds", defaultCount);
    long base = Long.getLong("sim.seedBase", 1L);
    return LongStream.range(base, base + count).toArray();
  }

  public static Stream<DynamicTest> forEach(Class<?> test, int defaultCount, LongConsumer body) {
    return LongStream.of(seeds(defaultCount))
        .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> run(test, seed, body)));
  }

  /** Runs {@code body} for one seed; a failure's message names the seed and how to replay it. */
  public static void run(Class<?> test, long seed, LongConsumer body) {
    try {
      body.accept(seed);
    } catch (Throwable t) {
      throw new AssertionError(
          "simulation failed with seed " + seed + ": " + t.getMessage() + "\n" + replay(test, seed),
          t);
    }
  }

  public static String replay(Class<?> test, long seed) {
    return "replay: ./mvnw -B -pl dynamo-core -am test -Dtest=" + test.getSimpleName() + " -Dsim.seed="
        + seed + " -Dsurefire.failIfNoSpecifiedTests=false";
  }
}

package io.dynamo.core.sim;

/**
 * How the simulated network treats peer messages. Each message independently is dropped with
 * {@code dropProbability}, else delayed uniformly in [min, max] ms, except that with {@code
 * slowProbability} it is delayed up to {@code slowMaxDelayMillis} instead; independent delays are
 * what reorder messages.
 */
public record NetworkOptions(
    double dropProbability,
    long minDelayMillis,
    long maxDelayMillis,
    double slowProbability,
    long slowMaxDelayMillis) {
  public static final NetworkOptions RELIABLE = new NetworkOptions(0, 1, 5, 0, 5);

  public NetworkOptions {
    if (dropProbability < 0 || dropProbability > 1 || slowProbability < 0 || slowProbability > 1) {
      throw new IllegalArgumentException("probabilities must be in [0, 1]");
    }
    if (minDelayMillis < 0 || maxDelayMillis < minDelayMillis || slowMaxDelayMillis < maxDelayMillis) {
      throw new IllegalArgumentException(
          "need 0 <= min <= max <= slowMax delay: " + minDelayMillis + ", " + maxDelayMillis + ", "
              + slowMaxDelayMillis);
    }
  }

  public NetworkOptions withDropProbability(double p) {
    return new NetworkOptions(p, minDelayMillis, maxDelayMillis, slowProbability, slowMaxDelayMillis);
  }
}

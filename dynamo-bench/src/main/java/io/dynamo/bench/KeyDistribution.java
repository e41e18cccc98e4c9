package io.dynamo.bench;

import java.util.random.RandomGenerator;

/** Picks a key index in {@code [0, keys)}. Pure: the randomness comes from the caller. */
interface KeyDistribution {
  int next(RandomGenerator random);

  static KeyDistribution uniform(int keys) {
    checkKeys(keys);
    return random -> random.nextInt(keys);
  }

  /** YCSB's Zipfian (Gray et al., "Quickly generating billion-record synthetic databases"). */
  static KeyDistribution zipfian(int keys, double theta) {
    checkKeys(keys);
    if (!(theta > 0 && theta < 1)) {
      throw new IllegalArgumentException("zipfian theta must be in (0, 1): " + theta);
    }
    double zetaN = zeta(keys, theta);
    double zeta2 = zeta(2, theta);
    double alpha = 1 / (1 - theta);
    double eta = (1 - Math.pow(2.0 / keys, 1 - theta)) / (1 - zeta2 / zetaN);
    double secondCut = 1 + Math.pow(0.5, theta);
    return random -> {
      double u = random.nextDouble();
      double uz = u * zetaN;
      if (uz < 1) {
        return 0;
      }
      if (uz < secondCut && keys > 1) {
        return 1;
      }
      int k = (int) (keys * Math.pow(eta * u - eta + 1, alpha));
      return Math.min(Math.max(k, 0), keys - 1);
    };
  }

  private static double zeta(int n, double theta) {
    double sum = 0;
    for (int i = 1; i <= n; i++) {
      sum += 1 / Math.pow(i, theta);
    }
    return sum;
  }

  private static void checkKeys(int keys) {
    if (keys < 1) {
      throw new IllegalArgumentException("need at least one key: " + keys);
    }
  }
}

package io.dynamo.bench;

import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * What each request does: a get with probability {@code readRatio}, else a put, on a key drawn
 * from the key distribution. Pure: every choice takes the caller's random generator.
 */
final class Workload {
  private final double readRatio;
  private final KeyDistribution keys;

  Workload(double readRatio, KeyDistribution keys) {
    if (!(readRatio >= 0 && readRatio <= 1)) {
      throw new IllegalArgumentException("read ratio must be in [0, 1]: " + readRatio);
    }
    this.readRatio = readRatio;
    this.keys = keys;
  }

  Operation nextOperation(RandomGenerator random) {
    // nextDouble() is in [0, 1): a ratio of 0 never reads and a ratio of 1 always does.
    return random.nextDouble() < readRatio ? Operation.GET : Operation.PUT;
  }

  int nextKey(RandomGenerator random) {
    return keys.next(random);
  }

  /** The key bytes of index {@code i}: fixed width, so every key has the same size. */
  static byte[] key(int i) {
    if (i < 0) {
      throw new IllegalArgumentException("negative key index: " + i);
    }
    byte[] key = "key0000000000".getBytes(StandardCharsets.US_ASCII);
    for (int pos = key.length - 1, rest = i; rest > 0; pos--, rest /= 10) {
      key[pos] = (byte) ('0' + rest % 10);
    }
    return key;
  }
}

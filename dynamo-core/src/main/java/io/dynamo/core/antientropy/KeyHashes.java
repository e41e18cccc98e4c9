package io.dynamo.core.antientropy;

import io.dynamo.core.version.RecordDigest;

/**
 * What a key contributes to its partition's {@link HashTree}. Records are canonical (siblings in
 * dot order, one encoding), so two replicas holding the same versions of a key store the same bytes
 * and contribute the same hash. The contribution mixes the key into the record's hash, so the same
 * record under two keys does not cancel out in a segment's XOR.
 */
public final class KeyHashes {
  private static final long KEY_SEED = 0x5DEECE66DL;

  private KeyHashes() {}

  /** The hash that places a stored data key in a segment. */
  public static long keyHash(byte[] dataKey) {
    return RecordDigest.xxh64(dataKey, 0, dataKey.length, KEY_SEED);
  }

  /** The segment of a stored data key. */
  public static int segmentOf(byte[] dataKey) {
    return HashTree.segmentOf(keyHash(dataKey));
  }

  /** A key's contribution with {@code record} stored (0 when absent, which contributes nothing). */
  public static long contribution(byte[] dataKey, byte[] record) {
    if (record == null || record.length == 0) {
      return 0;
    }
    long h = RecordDigest.xxh64(record, 0, record.length, keyHash(dataKey));
    return h == 0 ? 1 : h;
  }
}

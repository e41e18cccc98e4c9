package io.dynamo.core.ring;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Maps a bucket and key to one of Q equal ranges of a 64-bit hash space. MD5 is used for its spread,
 * not its strength: it is in every JDK and every client can reproduce it.
 */
public final class Partitioner {
  /** Looking a digest up per call shows in profiles; digests are not thread-safe, so one per thread. */
  private static final ThreadLocal<MessageDigest> MD5 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every JDK ships MD5", e);
            }
          });

  private final int partitions;

  public Partitioner(int partitions) {
    if (partitions < 1 || partitions > 1 << 20) {
      throw new IllegalArgumentException("partition count must be 1 to 1048576: " + partitions);
    }
    this.partitions = partitions;
  }

  public int partitions() {
    return partitions;
  }

  public int partitionOf(String bucket, byte[] key) {
    return partitionOfHash(hash(bucket, key));
  }

  /** The partition owning a point of the hash space: floor(hash * Q / 2^64), hash unsigned. */
  public int partitionOfHash(long hash) {
    long high = Math.multiplyHigh(hash, partitions);
    if (hash < 0) {
      high += partitions; // unsigned correction: multiplyHigh treats hash as signed
    }
    return (int) high;
  }

  public static long hash(String bucket, byte[] key) {
    MessageDigest md5 = MD5.get();
    md5.reset();
    md5.update(bucket.getBytes(StandardCharsets.UTF_8));
    md5.update((byte) 0);
    byte[] d = md5.digest(key);
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (d[i] & 0xff);
    }
    return h;
  }
}

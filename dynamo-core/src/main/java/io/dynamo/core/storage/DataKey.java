package io.dynamo.core.storage;

import io.dynamo.core.log.Untrusted;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Layout of a data key on disk: the 4-byte partition, then the bucket (1-byte length, UTF-8), then
 * the key. The partition prefix lets one partition be scanned, streamed or hashed on its own.
 */
public record DataKey(int partition, String bucket, byte[] key) {
  public static final int MAX_BUCKET_BYTES = 255;

  public byte[] encode() {
    byte[] b = bucket.getBytes(StandardCharsets.UTF_8);
    if (b.length > MAX_BUCKET_BYTES) {
      throw new IllegalArgumentException("bucket name longer than 255 bytes");
    }
    byte[] out = new byte[4 + 1 + b.length + key.length];
    writePartition(out, partition);
    out[4] = (byte) b.length;
    System.arraycopy(b, 0, out, 5, b.length);
    System.arraycopy(key, 0, out, 5 + b.length, key.length);
    return out;
  }

  public static DataKey decode(byte[] raw) {
    int partition = ((raw[0] & 0xff) << 24) | ((raw[1] & 0xff) << 16) | ((raw[2] & 0xff) << 8)
        | (raw[3] & 0xff);
    int bucketLength = raw[4] & 0xff;
    String bucket = new String(raw, 5, bucketLength, StandardCharsets.UTF_8);
    return new DataKey(partition, bucket, Arrays.copyOfRange(raw, 5 + bucketLength, raw.length));
  }

  /** The first key of a partition's range; the range ends at {@code partitionStart(p + 1)}. */
  public static byte[] partitionStart(int partition) {
    byte[] out = new byte[4];
    writePartition(out, partition);
    return out;
  }

  private static void writePartition(byte[] out, int partition) {
    out[0] = (byte) (partition >>> 24);
    out[1] = (byte) (partition >>> 16);
    out[2] = (byte) (partition >>> 8);
    out[3] = (byte) partition;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DataKey d && partition == d.partition && bucket.equals(d.bucket)
        && Arrays.equals(key, d.key);
  }

  @Override
  public int hashCode() {
    return (partition * 31 + bucket.hashCode()) * 31 + Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "DataKey{" + partition + "/" + Untrusted.escape(bucket) + "/" + key.length + " bytes}";
  }
}

package io.dynamo.core.node;

import io.dynamo.core.log.Untrusted;
import io.dynamo.proto.v1.StatusCode;

/** Checks of client input, each failing with the status the client receives. */
public final class RequestValidator {
  private RequestValidator() {}

  public static BucketProperties bucket(BucketTable buckets, String bucket) {
    return bucket(buckets, null, bucket);
  }

  /** The bucket's properties under {@code view}'s cluster-wide defaults (see {@link BucketTable}). */
  public static BucketProperties bucket(
      BucketTable buckets, io.dynamo.core.view.ClusterView view, String bucket) {
    if (!BucketTable.isValidName(bucket)) {
      throw new RequestException(
          StatusCode.INVALID_ARGUMENT,
          "invalid bucket name '" + Untrusted.escape(bucket) + "': use 1 to 64 of A-Z a-z 0-9 _ -");
    }
    return buckets.propertiesOf(bucket, view == null ? null : view.bucketDefaults());
  }

  public static void key(com.google.protobuf.ByteString key, ProtocolSettings settings) {
    keyLength(key.size(), settings);
  }

  public static void key(byte[] key, ProtocolSettings settings) {
    keyLength(key.length, settings);
  }

  private static void keyLength(int length, ProtocolSettings settings) {
    if (length == 0) {
      throw new RequestException(StatusCode.INVALID_ARGUMENT, "key must not be empty");
    }
    if (length > settings.maxKeyBytes()) {
      throw new RequestException(
          StatusCode.INVALID_ARGUMENT,
          "key of " + length + " bytes exceeds the limit of " + settings.maxKeyBytes());
    }
  }

  /**
   * The effective quorum: the request's override if set, else the bucket's. {@code requested} is
   * a uint32 from the wire: compared and shown unsigned, as the client sent it.
   */
  public static int quorum(String name, int requested, int bucketDefault, int n) {
    if (requested == 0) {
      return bucketDefault;
    }
    if (Integer.compareUnsigned(requested, n) > 0) {
      throw new RequestException(
          StatusCode.INVALID_ARGUMENT,
          name + "=" + Integer.toUnsignedString(requested) + " must be between 1 and n=" + n);
    }
    return requested;
  }

  /**
   * Whether a client-given deadline (wall clock, ms since the epoch; 0 for none) has passed. The
   * field is uint64 on the wire: a value past 2^63 reads negative here and counts as none, the
   * same for every request kind.
   */
  public static boolean deadlinePassed(long deadlineUnixMillis, long nowUnixMillis) {
    return deadlineUnixMillis > 0 && nowUnixMillis >= deadlineUnixMillis;
  }
}

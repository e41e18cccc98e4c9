package io.dynamo.core.node;

import com.google.protobuf.ByteString;
import io.dynamo.core.version.WriteId;
import io.dynamo.proto.v1.DeleteRequest;
import io.dynamo.proto.v1.ForwardRequest;
import io.dynamo.proto.v1.PutRequest;
import io.dynamo.proto.v1.StatusCode;

/**
 * A put or delete as the coordinator sees it: a delete is a put of a tombstone.
 *
 * @param writeId the client's id for the write, or null when it sent none
 * @param deadlineUnixMillis when the client stops waiting (wall clock), 0 when it did not say
 */
public record WriteCommand(
    String bucket, ByteString key, ByteString context, ByteString value, int w, boolean delete,
    WriteId writeId, long deadlineUnixMillis, PutRequest put, DeleteRequest del) {

  public static WriteCommand of(PutRequest put) {
    return new WriteCommand(
        put.getBucket(), put.getKey(), put.getContext(), put.getValue(), put.getQuorum().getW(),
        false, writeId(put.getWriteId()), put.getDeadlineUnixMillis(), put, null);
  }

  public static WriteCommand of(DeleteRequest delete) {
    return new WriteCommand(
        delete.getBucket(), delete.getKey(), delete.getContext(), ByteString.EMPTY,
        delete.getQuorum().getW(), true, writeId(delete.getWriteId()),
        delete.getDeadlineUnixMillis(), null, delete);
  }

  private static WriteId writeId(ByteString bytes) {
    if (bytes.isEmpty()) {
      return null;
    }
    try {
      return WriteId.of(bytes.toByteArray());
    } catch (IllegalArgumentException e) {
      throw new RequestException(StatusCode.INVALID_ARGUMENT, e.getMessage());
    }
  }

  /** Whether the client's deadline had passed at {@code nowUnixMillis}. */
  public boolean expired(long nowUnixMillis) {
    return RequestValidator.deadlinePassed(deadlineUnixMillis, nowUnixMillis);
  }

  /**
   * Puts this write into {@code forward} with the deadline {@code deadlineUnixMillis} (or the
   * client's, when earlier), so a coordinator that gets it late refuses it instead of making a
   * copy nobody waits for.
   */
  public void addTo(ForwardRequest.Builder forward, long deadlineUnixMillis) {
    long deadline =
        this.deadlineUnixMillis > 0
            ? Math.min(this.deadlineUnixMillis, deadlineUnixMillis)
            : deadlineUnixMillis;
    if (delete) {
      forward.setDelete(del.toBuilder().setDeadlineUnixMillis(deadline));
    } else {
      forward.setPut(put.toBuilder().setDeadlineUnixMillis(deadline));
    }
  }
}

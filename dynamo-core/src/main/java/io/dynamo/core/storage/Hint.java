package io.dynamo.core.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.SiblingSet;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Versions a node holds for a home replica that was down when they were written, to hand off
 * when it is back. Stored in {@link Keyspace#HINTS} under the target node and the data key, so
 * one target's hints are one contiguous range; the value is the creation time (for the age of the
 * oldest hint) and the sibling set.
 *
 * @param stored the exact stored bytes, so a hint is deleted only if nothing was merged into it
 *     since it was read
 */
public record Hint(NodeId target, DataKey key, SiblingSet siblings, long createdAtMillis, byte[] stored) {
  /** The stored value is this many bytes of creation time, then the sibling set's record. */
  static final int HEADER_BYTES = Long.BYTES;

  /** The sibling set's record as stored (VersionCodec form), to send on without encoding again. */
  public ByteString record() {
    return UnsafeByteOperations.unsafeWrap(stored, HEADER_BYTES, stored.length - HEADER_BYTES);
  }

  static byte[] encodeKey(NodeId target, byte[] dataKey) {
    byte[] t = target.value().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[1 + t.length + dataKey.length];
    out[0] = (byte) t.length;
    System.arraycopy(t, 0, out, 1, t.length);
    System.arraycopy(dataKey, 0, out, 1 + t.length, dataKey.length);
    return out;
  }

  /** The first key of a target's range; the range ends at {@link #targetEnd}. */
  static byte[] targetStart(NodeId target) {
    return encodeKey(target, new byte[0]);
  }

  static byte[] targetEnd(NodeId target) {
    byte[] start = targetStart(target);
    // Data keys start with a partition number below 2^24, so their first byte is 0: every hint
    // key of the target sorts below the target's prefix followed by 0xff.
    byte[] end = Arrays.copyOf(start, start.length + 1);
    end[start.length] = (byte) 0xff;
    return end;
  }

  static NodeId decodeTarget(byte[] hintKey) {
    int length = hintKey[0] & 0xff;
    return NodeId.of(new String(hintKey, 1, length, StandardCharsets.UTF_8));
  }

  static byte[] decodeDataKey(byte[] hintKey) {
    int length = hintKey[0] & 0xff;
    return Arrays.copyOfRange(hintKey, 1 + length, hintKey.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hint h && target.equals(h.target) && key.equals(h.key)
        && Arrays.equals(stored, h.stored);
  }

  @Override
  public int hashCode() {
    return target.hashCode() * 31 + key.hashCode();
  }

  @Override
  public String toString() {
    return "Hint{for " + target + ", " + key + ", " + siblings.versions().size() + " versions}";
  }
}

package io.dynamo.core.version;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The id a client gives one logical write (put or delete) and keeps for every retry of it. Two
 * versions carrying the same id are copies of one write, made by different attempts (a forwarder
 * retrying through the next home replica, a client retrying through another node); wherever they
 * meet they are reconciled into one version ({@link SiblingSet}), so a retry never shows up as a
 * sibling of its own first attempt. Clients send 16 random bytes; any 1 to {@value #MAX_BYTES}
 * bytes are accepted.
 */
public final class WriteId implements Comparable<WriteId> {
  public static final int MAX_BYTES = 32;

  private final byte[] bytes;

  private WriteId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The id in {@code bytes}, copied; throws if it is empty or longer than {@value #MAX_BYTES}. */
  public static WriteId of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0 || bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          "a write id has 1 to " + MAX_BYTES + " bytes, not " + bytes.length);
    }
    return new WriteId(bytes.clone());
  }

  /** The id's bytes; a copy. */
  public byte[] bytes() {
    return bytes.clone();
  }

  int length() {
    return bytes.length;
  }

  byte[] unsafeBytes() {
    return bytes;
  }

  @Override
  public int compareTo(WriteId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WriteId w && Arrays.equals(bytes, w.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}

package io.dynamo.testkit;

import java.nio.charset.StandardCharsets;

/** UTF-8 helpers for scenarios, which name keys and values as strings. */
public final class Bytes {
  public static final byte[] NO_CONTEXT = new byte[0];

  private Bytes() {}

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}

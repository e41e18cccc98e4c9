package io.dynamo.client;

import java.util.Arrays;
import java.util.Base64;

/**
 * The causal context of a read: pass it back with the next put or delete of the key so the store
 * knows which versions the write replaces. Opaque; its text form (URL-safe base64) is for tools
 * that carry it between processes, such as the CLI.
 */
public final class Context {
  /** No context: a blind write, which replaces nothing and may create a sibling. */
  public static final Context NONE = new Context(new byte[0]);

  private final byte[] bytes;

  private Context(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Context fromBytes(byte[] bytes) {
    return bytes.length == 0 ? NONE : new Context(bytes.clone());
  }

  /** Parses the text form; throws IllegalArgumentException if it is not valid base64. */
  public static Context parse(String text) {
    return text.isEmpty() ? NONE : new Context(Base64.getUrlDecoder().decode(text.trim()));
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  /** The text form, accepted by {@link #parse}. */
  @Override
  public String toString() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Context c && Arrays.equals(bytes, c.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}

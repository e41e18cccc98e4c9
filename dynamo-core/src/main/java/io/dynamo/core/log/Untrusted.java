package io.dynamo.core.log;

/**
 * Text from the network made safe to log or echo: printable ASCII stays as it is, everything else
 * (control characters, line breaks, escape sequences, non-ASCII) becomes {@code \xNN} per UTF-16
 * unit below 256 or {@code \}{@code uNNNN} above, and the result is cut to a bounded length. A
 * log line built from it is one line, cannot move the terminal's cursor or forge another entry,
 * and cannot be made arbitrarily long by the sender.
 */
public final class Untrusted {
  /** Characters of untrusted text kept in one log argument; the rest is summarized. */
  public static final int MAX_CHARS = 128;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Untrusted() {}

  /** {@code text} escaped and cut to {@link #MAX_CHARS}; {@code null} stays {@code "null"}. */
  public static String escape(CharSequence text) {
    return escape(text, MAX_CHARS);
  }

  /** {@code text} escaped, keeping at most {@code maxChars} of its characters. */
  public static String escape(CharSequence text, int maxChars) {
    if (text == null) {
      return "null";
    }
    int length = text.length();
    int kept = Math.min(length, maxChars);
    if (kept == length && isPlain(text)) {
      return text.toString();
    }
    StringBuilder out = new StringBuilder(kept + 16);
    for (int i = 0; i < kept; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        out.append(c);
      } else if (c == '\\') {
        out.append("\\\\");
      } else if (c < 0x100) {
        out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      } else {
        out.append("\\u")
            .append(HEX[c >> 12])
            .append(HEX[(c >> 8) & 0xf])
            .append(HEX[(c >> 4) & 0xf])
            .append(HEX[c & 0xf]);
      }
    }
    if (kept < length) {
      out.append("...(").append(length).append(" chars)");
    }
    return out.toString();
  }

  /** Bytes from the network (a key, a frame) shown as escaped Latin-1, cut to {@link #MAX_CHARS}. */
  public static String escape(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    int kept = Math.min(bytes.length, MAX_CHARS);
    StringBuilder out = new StringBuilder(kept + 16);
    for (int i = 0; i < kept; i++) {
      int b = bytes[i] & 0xff;
      if (b >= 0x20 && b < 0x7f && b != '\\') {
        out.append((char) b);
      } else if (b == '\\') {
        out.append("\\\\");
      } else {
        out.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
      }
    }
    if (kept < bytes.length) {
      out.append("...(").append(bytes.length).append(" bytes)");
    }
    return out.toString();
  }

  private static boolean isPlain(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '\\') {
        return false;
      }
    }
    return true;
  }
}

package io.dynamo.server.dashboard;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A small streaming JSON writer: objects, arrays, strings, numbers, booleans. Enough for the
 * dashboard's answer without a JSON library in the node. Strings are escaped per RFC 8259, and
 * also {@code <}, {@code >}, {@code &} and U+2028/U+2029, so the output is safe to embed anywhere.
 * Non-finite numbers are written as {@code null}, which JSON has instead.
 */
final class JsonWriter {
  private final StringBuilder out = new StringBuilder();
  /** Per open container: whether a value was written in it yet (for the commas). */
  private final Deque<boolean[]> open = new ArrayDeque<>();
  private boolean afterName;

  JsonWriter beginObject() {
    beforeValue();
    out.append('{');
    open.push(new boolean[1]);
    return this;
  }

  JsonWriter endObject() {
    open.pop();
    out.append('}');
    return this;
  }

  JsonWriter beginArray() {
    beforeValue();
    out.append('[');
    open.push(new boolean[1]);
    return this;
  }

  JsonWriter endArray() {
    open.pop();
    out.append(']');
    return this;
  }

  /** The next value's name; call inside an object only. */
  JsonWriter name(String name) {
    beforeValue();
    string(name);
    out.append(':');
    afterName = true;
    return this;
  }

  JsonWriter value(String s) {
    beforeValue();
    if (s == null) {
      out.append("null");
    } else {
      string(s);
    }
    return this;
  }

  JsonWriter value(long n) {
    beforeValue();
    out.append(n);
    return this;
  }

  JsonWriter value(double d) {
    beforeValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      out.append("null");
    } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      out.append((long) d);
    } else {
      out.append(String.format(Locale.ROOT, "%.6g", d));
    }
    return this;
  }

  JsonWriter value(boolean b) {
    beforeValue();
    out.append(b);
    return this;
  }

  JsonWriter nullValue() {
    beforeValue();
    out.append("null");
    return this;
  }

  JsonWriter field(String name, String s) {
    return name(name).value(s);
  }

  JsonWriter field(String name, long n) {
    return name(name).value(n);
  }

  JsonWriter field(String name, double d) {
    return name(name).value(d);
  }

  JsonWriter field(String name, boolean b) {
    return name(name).value(b);
  }

  @Override
  public String toString() {
    if (!open.isEmpty()) {
      throw new IllegalStateException(open.size() + " containers still open");
    }
    return out.toString();
  }

  private void beforeValue() {
    if (afterName) {
      afterName = false;
      return;
    }
    boolean[] written = open.peek();
    if (written != null) {
      if (written[0]) {
        out.append(',');
      }
      written[0] = true;
    }
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}

package io.dynamo.bench;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** Just enough JSON writing for the reports: flat objects of numbers, strings and nested maps. */
final class JsonText {
  private JsonText() {}

  /** Writes {@code map} as an object; values are numbers, maps (nested objects) or strings. */
  static void object(StringBuilder b, Map<String, ?> map) {
    b.append('{');
    for (Iterator<? extends Map.Entry<String, ?>> it = map.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, ?> e = it.next();
      string(b, e.getKey());
      b.append(':');
      value(b, e.getValue());
      b.append(it.hasNext() ? "," : "");
    }
    b.append('}');
  }

  static void value(StringBuilder b, Object v) {
    if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
      b.append("null");
    } else if (v instanceof Number n) {
      b.append(n);
    } else if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, ?> nested = (Map<String, ?>) m;
      object(b, nested);
    } else if (v instanceof Iterable<?> list) {
      b.append('[');
      boolean first = true;
      for (Object e : list) {
        if (!first) {
          b.append(',');
        }
        first = false;
        value(b, e);
      }
      b.append(']');
    } else if (v == null) {
      b.append("null");
    } else {
      string(b, String.valueOf(v));
    }
  }

  static void string(StringBuilder b, String s) {
    b.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}

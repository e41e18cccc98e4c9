package io.dynamo.client;

import java.util.List;

/**
 * What a get found: no values (absent or deleted), one value, or several siblings written
 * concurrently, which the application reconciles and writes back with {@link #context()}.
 */
public record GetResult(List<byte[]> values, Context context, boolean deleted) {
  public GetResult {
    values = List.copyOf(values);
  }

  public boolean found() {
    return !values.isEmpty();
  }

  public boolean hasSiblings() {
    return values.size() > 1;
  }

  /** The single value; fails if there is none or there are siblings. */
  public byte[] value() {
    if (values.size() != 1) {
      throw new IllegalStateException(
          values.isEmpty() ? "no value" : values.size() + " siblings: reconcile them first");
    }
    return values.get(0);
  }
}

package io.dynamo.core.transfer;

import io.dynamo.core.log.Untrusted;
import java.util.Objects;

/**
 * Names one transfer of one partition to one target. Chosen by whoever planned the move (for
 * example from the partition, the target and the cluster state's version), so that a restarted
 * node that starts the same move again resumes it instead of starting over.
 */
public record TransferId(String value) {
  public static final int MAX_CHARS = 128;

  public TransferId {
    Objects.requireNonNull(value, "value");
    if (!valid(value)) {
      throw new IllegalArgumentException(
          "transfer id must be 1 to " + MAX_CHARS + " printable ASCII characters: '"
              + Untrusted.escape(value) + "'");
    }
  }

  public static TransferId of(String value) {
    return new TransferId(value);
  }

  /** Whether {@code value} (from the network) is a usable id. */
  static boolean valid(String value) {
    if (value.isEmpty() || value.length() > MAX_CHARS) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return value;
  }
}

package io.dynamo.core.storage;

/**
 * Per-bucket bounds that keep every key usable: a coordinated write that would leave a key with
 * more siblings, or a larger stored record, than the refuse level is refused and stores nothing;
 * past the warn level it is stored and reported. A write that does not grow a key past where it
 * already stands is never refused, so a put with the context read can always resolve a key that
 * concurrent merges pushed over a limit. Replica merges, read repair and handoff are never refused
 * (refusing them would lose acknowledged data); the frame limit is kept above twice the largest
 * record refuse level so that what they carry still fits.
 */
public record KeyLimits(int siblingsWarn, int siblingsMax, long recordWarnBytes, long recordMaxBytes) {
  /** Riak's sibling levels (25 / 100); records well under the default 16 MiB frame limit. */
  public static final KeyLimits DEFAULT = new KeyLimits(25, 100, 2L << 20, 6L << 20);

  /** No limits beyond what the version codec itself decodes; for tests of other mechanisms. */
  public static final KeyLimits UNLIMITED = new KeyLimits(4096, 4096, Long.MAX_VALUE, Long.MAX_VALUE);

  public KeyLimits {
    if (siblingsWarn < 1 || siblingsMax < siblingsWarn || siblingsMax > 4096) {
      throw new IllegalArgumentException(
          "need 1 <= siblings warn (" + siblingsWarn + ") <= siblings max (" + siblingsMax + ") <= 4096");
    }
    if (recordWarnBytes < 1 || recordMaxBytes < recordWarnBytes) {
      throw new IllegalArgumentException(
          "need 1 <= record warn (" + recordWarnBytes + ") <= record max (" + recordMaxBytes + ")");
    }
  }

  /** Throws when a write would take a key from {@code before} to {@code after} past a refuse level. */
  void check(int siblingsBefore, int siblingsAfter, long recordBefore, long recordAfter) {
    if (siblingsAfter > siblingsMax && siblingsAfter > siblingsBefore) {
      throw new KeyLimitException(
          KeyLimitException.Kind.TOO_MANY_SIBLINGS,
          "the write would leave " + siblingsAfter + " siblings, over the bucket's limit of "
              + siblingsMax + "; nothing was stored: read the key and write back a reconciled value"
              + " with the context read");
    }
    if (recordAfter > recordMaxBytes && recordAfter > recordBefore) {
      throw new KeyLimitException(
          KeyLimitException.Kind.RECORD_TOO_LARGE,
          "the write would make the key's record " + recordAfter + " bytes, over the bucket's limit of "
              + recordMaxBytes + "; nothing was stored");
    }
  }

  /** Whether a stored key stands past a warn level. */
  public boolean pastWarning(int siblings, long recordBytes) {
    return siblings > siblingsWarn || recordBytes > recordWarnBytes;
  }
}

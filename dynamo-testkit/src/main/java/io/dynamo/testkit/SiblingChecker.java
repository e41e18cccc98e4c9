package io.dynamo.testkit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Siblings: after concurrent writes a read returns each acknowledged value as a sibling, no
 * value nobody wrote, and no value twice (values are unique per write in scenarios, so a value
 * seen twice is one write stored twice: a retry applied again, or a version not recognised as
 * the same event).
 */
public final class SiblingChecker {
  private SiblingChecker() {}

  /** Values that occur more than once among a read's siblings. */
  public static List<String> duplicates(Outcome read) {
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (String v : read.strings()) {
      if (!seen.add(v)) {
        out.add("value " + v + " returned twice by one read: " + read.strings());
      }
    }
    return out;
  }

  /**
   * A read after concurrent writes: every value in {@code acknowledged} is a sibling, every
   * sibling is in {@code written} (acknowledged or attempted), and none is duplicated.
   */
  public static List<String> siblingsAfterConcurrentWrites(
      Outcome read, Set<String> acknowledged, Set<String> written) {
    List<String> out = new ArrayList<>();
    if (!read.isOk()) {
      out.add("read after concurrent writes failed: " + read);
      return out;
    }
    for (String v : acknowledged) {
      if (!read.strings().contains(v)) {
        out.add("acknowledged concurrent write " + v + " is not a sibling: read " + read.strings());
      }
    }
    for (String v : read.strings()) {
      if (!written.contains(v)) {
        out.add("read returned a value nobody wrote: " + v);
      }
    }
    out.addAll(duplicates(read));
    return out;
  }
}

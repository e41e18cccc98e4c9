package io.dynamo.bench.ycsb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reconciles sibling records (concurrent writes of one key) into one record, the binding's conflict
 * resolution. The rule, chosen to be deterministic rather than clever:
 *
 * <ul>
 *   <li>the merged record has the union of the siblings' fields;
 *   <li>a field present in several siblings takes its value from the sibling whose encoded bytes
 *       ({@link RecordCodec}) sort highest in unsigned lexicographic order (a proper prefix sorts
 *       lower).
 * </ul>
 *
 * The result depends only on the set of siblings, not on the order the store returns them in, and
 * merging a record with itself gives the record back; so every reader of the same siblings writes
 * back the same record, and reconcilers racing each other converge. Which concurrent value of a
 * field wins is arbitrary (the client sees no timestamps), but the same one wins everywhere.
 */
public final class SiblingMerge {
  private SiblingMerge() {}

  /**
   * The merged record of one or more encoded siblings.
   *
   * @throws IllegalArgumentException if there are no siblings
   * @throws MalformedRecordException if a sibling is not a record
   */
  public static SortedMap<String, byte[]> merge(List<byte[]> siblings) {
    if (siblings.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge");
    }
    if (siblings.size() == 1) {
      return RecordCodec.decode(siblings.get(0));
    }
    List<byte[]> highestFirst = new ArrayList<>(siblings);
    highestFirst.sort((a, b) -> Arrays.compareUnsigned(b, a));
    SortedMap<String, byte[]> merged = new TreeMap<>();
    for (byte[] sibling : highestFirst) {
      for (Map.Entry<String, byte[]> field : RecordCodec.decode(sibling).entrySet()) {
        merged.putIfAbsent(field.getKey(), field.getValue());
      }
    }
    return merged;
  }
}

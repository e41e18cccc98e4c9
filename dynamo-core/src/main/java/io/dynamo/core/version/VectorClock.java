package io.dynamo.core.version;

import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable vector clock: for each node, the counter of the latest event from it that this clock
 * has seen, with that event's timestamp. Entries are kept sorted by node id so that equal clocks
 * have equal representations and comparison is a linear merge.
 */
public final class VectorClock {
  public static final VectorClock EMPTY = new VectorClock(new Dot[0]);

  private final Dot[] entries;

  private VectorClock(Dot[] sortedEntries) {
    this.entries = sortedEntries;
  }

  /** A clock from entries in any order; at most one entry per node. */
  public static VectorClock of(List<Dot> entries) {
    Dot[] sorted = entries.toArray(new Dot[0]);
    Arrays.sort(sorted, Comparator.comparing(Dot::node));
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i].node().equals(sorted[i - 1].node())) {
        throw new IllegalArgumentException("duplicate clock entry for node " + sorted[i].node());
      }
    }
    return sorted.length == 0 ? EMPTY : new VectorClock(sorted);
  }

  public static VectorClock of(Dot... entries) {
    return of(Arrays.asList(entries));
  }

  public List<Dot> entries() {
    return List.of(entries);
  }

  public int size() {
    return entries.length;
  }

  public boolean isEmpty() {
    return entries.length == 0;
  }

  /** The counter of the latest event from {@code node} in this clock, 0 when none. */
  public long counter(NodeId node) {
    int i = indexOf(node);
    return i < 0 ? 0 : entries[i].counter();
  }

  /** Whether the event {@code dot} is in this clock's causal past. */
  public boolean covers(Dot dot) {
    return counter(dot.node()) >= dot.counter();
  }

  /** This clock with {@code node}'s counter advanced by one, stamped {@code timestampMillis}. */
  public VectorClock increment(NodeId node, long timestampMillis) {
    return with(new Dot(node, Math.addExact(counter(node), 1), timestampMillis));
  }

  /** This clock joined with one event (the least upper bound of the two). */
  public VectorClock with(Dot dot) {
    int i = indexOf(dot.node());
    if (i >= 0) {
      Dot old = entries[i];
      if (old.counter() >= dot.counter()) {
        return this;
      }
      Dot[] copy = entries.clone();
      copy[i] = dot;
      return new VectorClock(copy);
    }
    int insertAt = -i - 1;
    Dot[] copy = new Dot[entries.length + 1];
    System.arraycopy(entries, 0, copy, 0, insertAt);
    copy[insertAt] = dot;
    System.arraycopy(entries, insertAt, copy, insertAt + 1, entries.length - insertAt);
    return new VectorClock(copy);
  }

  /** The least upper bound: for every node, the later of the two entries. */
  public VectorClock merge(VectorClock other) {
    if (other.entries.length == 0) {
      return this;
    }
    if (entries.length == 0) {
      return other;
    }
    List<Dot> out = new ArrayList<>(entries.length + other.entries.length);
    int i = 0;
    int j = 0;
    while (i < entries.length || j < other.entries.length) {
      int cmp = compareNodes(i, other, j);
      if (cmp < 0) {
        out.add(entries[i++]);
      } else if (cmp > 0) {
        out.add(other.entries[j++]);
      } else {
        Dot a = entries[i++];
        Dot b = other.entries[j++];
        out.add(a.counter() >= b.counter() ? a : b);
      }
    }
    return new VectorClock(out.toArray(new Dot[0]));
  }

  /** Where this clock stands relative to {@code other}. */
  public Occurs compare(VectorClock other) {
    boolean thisBigger = false;
    boolean otherBigger = false;
    int i = 0;
    int j = 0;
    while (i < entries.length || j < other.entries.length) {
      int cmp = compareNodes(i, other, j);
      if (cmp < 0) {
        thisBigger = true;
        i++;
      } else if (cmp > 0) {
        otherBigger = true;
        j++;
      } else {
        long a = entries[i++].counter();
        long b = other.entries[j++].counter();
        if (a > b) {
          thisBigger = true;
        } else if (b > a) {
          otherBigger = true;
        }
      }
      if (thisBigger && otherBigger) {
        return Occurs.CONCURRENT;
      }
    }
    if (thisBigger) {
      return Occurs.AFTER;
    }
    return otherBigger ? Occurs.BEFORE : Occurs.EQUAL;
  }

  /**
   * This clock cut to at most {@code maxEntries} entries by dropping those with the oldest
   * timestamps (ties broken by node id). A pruned clock knows less, so it can only make versions
   * look concurrent that were ordered, never the reverse.
   */
  public VectorClock prune(int maxEntries) {
    if (maxEntries < 0) {
      throw new IllegalArgumentException("maxEntries must not be negative: " + maxEntries);
    }
    if (entries.length <= maxEntries) {
      return this;
    }
    Dot[] byAge = entries.clone();
    Arrays.sort(
        byAge,
        Comparator.comparingLong(Dot::timestampMillis).reversed().thenComparing(Dot::node));
    return of(Arrays.asList(byAge).subList(0, maxEntries));
  }

  /** Entries as a sorted map, for tests and diagnostics. */
  public Map<NodeId, Long> counters() {
    Map<NodeId, Long> out = new TreeMap<>();
    for (Dot d : entries) {
      out.put(d.node(), d.counter());
    }
    return out;
  }

  private int compareNodes(int i, VectorClock other, int j) {
    if (i >= entries.length) {
      return 1;
    }
    if (j >= other.entries.length) {
      return -1;
    }
    return entries[i].node().compareTo(other.entries[j].node());
  }

  private int indexOf(NodeId node) {
    int lo = 0;
    int hi = entries.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int cmp = entries[mid].node().compareTo(node);
      if (cmp < 0) {
        lo = mid + 1;
      } else if (cmp > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VectorClock other && Arrays.equals(entries, other.entries);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(entries);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < entries.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(entries[i].node()).append(':').append(entries[i].counter());
    }
    return sb.append('}').toString();
  }
}

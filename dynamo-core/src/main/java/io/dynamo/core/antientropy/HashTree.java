package io.dynamo.core.antientropy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The hash tree of one replica of one partition: {@value #SEGMENTS} leaf segments under {@value
 * #BRANCHES} branches under one root. A key falls in the segment given by the top bits of its key
 * hash, and a segment's hash is the XOR of its keys' {@link KeyHashes#contribution contributions},
 * so the tree of a set of (key, record) pairs is the same whatever order they were written in, and a
 * write updates it in O(1) from the old and new record alone (Riak's Tictac AAE does the same). A
 * branch is the XOR of its segments and the root the XOR of everything; both are kept as they
 * change, so reading them costs nothing.
 *
 * <p>Two levels of fan-out 64 (32 KiB of segment hashes per partition): an exchange compares the
 * root, then at most 64 branch hashes, then 64 segment hashes per differing branch. With 4,000 keys
 * per partition (a million keys over 256 partitions), a segment holds about one key, so a
 * difference costs about one key's digest to find.
 *
 * <p>Not thread-safe: {@link PartitionTrees} guards each tree.
 */
public final class HashTree {
  public static final int BRANCHES = 64;
  public static final int SEGMENTS_PER_BRANCH = 64;
  public static final int SEGMENTS = BRANCHES * SEGMENTS_PER_BRANCH;
  /** Memory of one tree's hashes, for docs and the memory bound. */
  public static final int BYTES = (SEGMENTS + BRANCHES + 1) * Long.BYTES;

  private final long[] segments = new long[SEGMENTS];
  private final long[] branches = new long[BRANCHES];
  private long root;

  /** The segment of a key whose {@link KeyHashes#keyHash key hash} is {@code keyHash}. */
  public static int segmentOf(long keyHash) {
    return (int) (keyHash >>> (Long.SIZE - 12));
  }

  public static int branchOf(int segment) {
    return segment / SEGMENTS_PER_BRANCH;
  }

  /** XORs {@code delta} (old contribution XOR new contribution) into a segment. */
  public void add(int segment, long delta) {
    segments[segment] ^= delta;
    branches[branchOf(segment)] ^= delta;
    root ^= delta;
  }

  /** XORs every hash of {@code other} into this tree (applying updates queued during a rebuild). */
  public void addAll(HashTree other) {
    for (int s = 0; s < SEGMENTS; s++) {
      segments[s] ^= other.segments[s];
    }
    for (int b = 0; b < BRANCHES; b++) {
      branches[b] ^= other.branches[b];
    }
    root ^= other.root;
  }

  public long root() {
    return root;
  }

  /** The {@value #BRANCHES} branch hashes (a copy). */
  public long[] branches() {
    return branches.clone();
  }

  public long segment(int segment) {
    return segments[segment];
  }

  /** The segment hashes of {@code branch}, in segment order (a copy). */
  public long[] segmentsOf(int branch) {
    return Arrays.copyOfRange(
        segments, branch * SEGMENTS_PER_BRANCH, (branch + 1) * SEGMENTS_PER_BRANCH);
  }

  public HashTree copy() {
    HashTree t = new HashTree();
    System.arraycopy(segments, 0, t.segments, 0, SEGMENTS);
    System.arraycopy(branches, 0, t.branches, 0, BRANCHES);
    t.root = root;
    return t;
  }

  /** Indexes where two equally long hash arrays differ, in order. */
  public static List<Integer> differing(long[] a, long[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("hash arrays of " + a.length + " and " + b.length);
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        out.add(i);
      }
    }
    return out;
  }

  /** Segments whose hashes differ between this tree and {@code other}, in order. */
  public List<Integer> differingSegments(HashTree other) {
    List<Integer> out = new ArrayList<>();
    if (root == other.root) {
      return out;
    }
    for (int b : differing(branches, other.branches)) {
      for (int s = b * SEGMENTS_PER_BRANCH; s < (b + 1) * SEGMENTS_PER_BRANCH; s++) {
        if (segments[s] != other.segments[s]) {
          out.add(s);
        }
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HashTree t && root == t.root && Arrays.equals(segments, t.segments);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(root);
  }

  @Override
  public String toString() {
    return "HashTree{root=" + Long.toHexString(root) + "}";
  }
}

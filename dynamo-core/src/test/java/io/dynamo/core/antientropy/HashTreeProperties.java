package io.dynamo.core.antientropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.storage.DataKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Laws of the anti-entropy {@link HashTree}: a tree depends only on the (key, record) pairs it
 * holds, not on the order or path they arrived by; a diff finds exactly the segments of the keys
 * that differ; the inner levels are the XOR of the levels below. Keys are named by strings in the
 * model and stored as encoded {@link DataKey}s, as {@code LocalReplica} hands them over.
 */
class HashTreeProperties {
  static final int PARTITION = 7;

  static byte[] dataKey(String name) {
    return new DataKey(PARTITION, "b", name.getBytes(StandardCharsets.UTF_8)).encode();
  }

  static int segmentOf(String name) {
    return KeyHashes.segmentOf(dataKey(name));
  }

  /** Adds {@code name}'s change from {@code before} to {@code after} (null when absent). */
  static void update(HashTree tree, String name, byte[] before, byte[] after) {
    byte[] k = dataKey(name);
    tree.add(
        KeyHashes.segmentOf(k), KeyHashes.contribution(k, before) ^ KeyHashes.contribution(k, after));
  }

  /** The tree of a whole map, built by adding each key's contribution in map order. */
  static HashTree treeOf(Map<String, byte[]> data) {
    HashTree tree = new HashTree();
    data.forEach((name, record) -> update(tree, name, null, record));
    return tree;
  }

  static Arbitrary<byte[]> records() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(24);
  }

  static Arbitrary<String> names() {
    return Arbitraries.strings().alpha().numeric().ofMinLength(0).ofMaxLength(12);
  }

  @Provide
  Arbitrary<Map<String, byte[]>> contents() {
    return Arbitraries.maps(names(), records()).ofMaxSize(300);
  }

  // (a) Order independence.

  @Property(tries = 200)
  void equalContentGivesEqualTreesInAnyInsertionOrder(
      @ForAll("contents") Map<String, byte[]> data, @ForAll Random random) {
    List<Map.Entry<String, byte[]>> one = new ArrayList<>(data.entrySet());
    List<Map.Entry<String, byte[]>> two = new ArrayList<>(data.entrySet());
    Collections.shuffle(one, random);
    Collections.shuffle(two, random);
    HashTree a = new HashTree();
    HashTree b = new HashTree();
    for (Map.Entry<String, byte[]> e : one) {
      update(a, e.getKey(), null, e.getValue());
    }
    for (Map.Entry<String, byte[]> e : two) {
      update(b, e.getKey(), null, e.getValue());
    }
    assertThat(a).isEqualTo(b).isEqualTo(treeOf(data));
    assertThat(a.root()).isEqualTo(b.root());
    assertThat(a.branches()).isEqualTo(b.branches());
    assertThat(a.differingSegments(b)).isEmpty();
    assertThat(a.root() == 0).isEqualTo(data.isEmpty()); // 0 only by a 2^-64 accident otherwise
  }

  /**
   * Each key goes through a history of records (first write, overwrites, maybe a delete and a
   * rewrite), the histories of different keys interleaved at random, each key's in its own order,
   * every step applied as {@code contribution(old) ^ contribution(new)}: the tree is that of the
   * final records alone.
   */
  @Property(tries = 200)
  void updatesInAnyInterleavingGiveTheTreeOfTheFinalContent(
      @ForAll("contents") Map<String, byte[]> data, @ForAll Random random) {
    Map<String, List<byte[]>> histories = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : data.entrySet()) {
      List<byte[]> h = new ArrayList<>();
      int earlier = random.nextInt(4);
      for (int i = 0; i < earlier; i++) {
        h.add(random.nextInt(4) == 0 ? null : randomRecord(random)); // null: deleted meanwhile
      }
      h.add(e.getValue());
      histories.put(e.getKey(), h);
    }
    // Keys never in the final content: written, then deleted.
    int gone = random.nextInt(20);
    for (int i = 0; i < gone; i++) {
      String name = "gone-" + i;
      if (!data.containsKey(name)) {
        histories.put(name, new ArrayList<>(Arrays.asList(randomRecord(random), null)));
      }
    }
    HashTree tree = new HashTree();
    Map<String, byte[]> current = new HashMap<>();
    Map<String, Integer> next = new HashMap<>();
    List<String> pending = new ArrayList<>(histories.keySet());
    while (!pending.isEmpty()) {
      int i = random.nextInt(pending.size());
      String name = pending.get(i);
      int step = next.getOrDefault(name, 0);
      byte[] after = histories.get(name).get(step);
      update(tree, name, current.get(name), after);
      if (after == null) {
        current.remove(name);
      } else {
        current.put(name, after);
      }
      next.put(name, step + 1);
      if (step + 1 == histories.get(name).size()) {
        pending.set(i, pending.get(pending.size() - 1));
        pending.remove(pending.size() - 1);
      }
    }
    assertThat(tree).isEqualTo(treeOf(data));
    assertThat(tree.branches()).isEqualTo(treeOf(data).branches());
  }

  static byte[] randomRecord(Random random) {
    byte[] r = new byte[1 + random.nextInt(16)];
    random.nextBytes(r);
    return r;
  }

  // (b) Diffs.

  /** Two replicas' contents: shared keys, then a random subset changed on one or other side. */
  record Pair(Map<String, byte[]> left, Map<String, byte[]> right, Set<String> differing) {
    @Override
    public String toString() {
      return left.size() + " vs " + right.size() + " keys, differing " + differing;
    }
  }

  @Provide
  Arbitrary<Pair> pairs() {
    return Arbitraries.randoms()
        .flatMap(
            random ->
                contents()
                    .map(
                        base -> {
                          Map<String, byte[]> left = new TreeMap<>(base);
                          Map<String, byte[]> right = new TreeMap<>(base);
                          Set<String> differing = new TreeSet<>();
                          int changes = random.nextInt(Math.min(40, base.size() + 1));
                          List<String> names = new ArrayList<>(base.keySet());
                          Collections.shuffle(names, random);
                          for (String name : names.subList(0, Math.min(changes, names.size()))) {
                            switch (random.nextInt(4)) {
                              case 0 -> right.put(name, changed(right.get(name), random));
                              case 1 -> left.put(name, changed(left.get(name), random));
                              case 2 -> right.remove(name);
                              default -> left.remove(name);
                            }
                            differing.add(name);
                          }
                          // Keys only one side ever had.
                          int onlyOneSide = random.nextInt(10);
                          for (int i = 0; i < onlyOneSide; i++) {
                            String name = "only-" + i;
                            (random.nextBoolean() ? left : right).put(name, randomRecord(random));
                            differing.add(name);
                          }
                          return new Pair(left, right, differing);
                        }));
  }

  /** A different record: one byte more, so never equal to {@code old}. */
  static byte[] changed(byte[] old, Random random) {
    byte[] r = Arrays.copyOf(old, old.length + 1);
    r[old.length] = (byte) random.nextInt();
    return r;
  }

  static Set<Integer> segmentsOf(Set<String> names) {
    Set<Integer> out = new TreeSet<>();
    for (String name : names) {
      out.add(segmentOf(name));
    }
    return out;
  }

  /**
   * The diff is exactly the segments of the differing keys. (Two differing keys of one segment
   * could cancel only if their changes XOR to 0, a 2^-64 chance per pair of random hashes.)
   */
  @Property(tries = 300)
  void theDiffIsExactlyTheSegmentsOfTheDifferingKeys(@ForAll("pairs") Pair pair) {
    HashTree left = treeOf(pair.left());
    HashTree right = treeOf(pair.right());
    Set<Integer> expected = segmentsOf(pair.differing());

    List<Integer> diff = left.differingSegments(right);
    assertThat(diff).isSorted().doesNotHaveDuplicates();
    assertThat(new TreeSet<>(diff)).isEqualTo(expected);
    assertThat(right.differingSegments(left)).isEqualTo(diff);
    assertThat(left.equals(right)).isEqualTo(expected.isEmpty());
    assertThat(left.root() == right.root()).isEqualTo(expected.isEmpty());

    // Descending by hand, as an exchange does: branches first, then the differing branches'
    // segments.
    List<Integer> byHand = new ArrayList<>();
    List<Integer> branches = HashTree.differing(left.branches(), right.branches());
    for (int b : branches) {
      for (int i : HashTree.differing(left.segmentsOf(b), right.segmentsOf(b))) {
        byHand.add(b * HashTree.SEGMENTS_PER_BRANCH + i);
      }
    }
    assertThat(byHand).isEqualTo(diff);
    Set<Integer> expectedBranches = new TreeSet<>();
    for (int s : expected) {
      expectedBranches.add(HashTree.branchOf(s));
    }
    assertThat(new TreeSet<>(branches)).isEqualTo(expectedBranches);
  }

  /** Keys that share a segment, found by brute force: each changed alone or together. */
  @Example
  void keysOfOneSegmentAreFoundTogether() {
    Map<Integer, List<String>> bySegment = new HashMap<>();
    List<String> same = null;
    for (int i = 0; same == null; i++) {
      String name = "k" + i;
      List<String> names = bySegment.computeIfAbsent(segmentOf(name), s -> new ArrayList<>());
      names.add(name);
      if (names.size() == 3) {
        same = names;
      }
    }
    int segment = segmentOf(same.get(0));
    Map<String, byte[]> base = new TreeMap<>();
    for (String name : same) {
      base.put(name, name.getBytes(StandardCharsets.UTF_8));
    }
    base.put("elsewhere", new byte[] {1});
    HashTree left = treeOf(base);
    // The same record under two keys of one segment does not cancel out.
    Map<String, byte[]> sameRecords = new TreeMap<>();
    sameRecords.put(same.get(0), new byte[] {9});
    sameRecords.put(same.get(1), new byte[] {9});
    assertThat(treeOf(sameRecords).segment(segment)).isNotZero();

    for (int mask = 1; mask < 8; mask++) {
      Map<String, byte[]> other = new TreeMap<>(base);
      for (int i = 0; i < 3; i++) {
        if ((mask & (1 << i)) != 0) {
          other.put(same.get(i), new byte[] {(byte) i, 42});
        }
      }
      assertThat(left.differingSegments(treeOf(other))).as("mask %s", mask).containsExactly(segment);
    }
    Map<String, byte[]> swapped = new TreeMap<>(base);
    swapped.put(same.get(0), base.get(same.get(1)));
    swapped.put(same.get(1), base.get(same.get(0)));
    assertThat(left.differingSegments(treeOf(swapped))).containsExactly(segment);
  }

  // (c) Incremental updates.

  /** A write: key index into a small pool, and the new record (null: a delete). */
  record Op(int key, byte[] record) {
    @Override
    public String toString() {
      return (record == null ? "del " : "put ") + key;
    }
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Integer> keys = Arbitraries.integers().between(0, 60);
    Arbitrary<Op> puts = keys.flatMap(k -> records().map(r -> new Op(k, r)));
    Arbitrary<Op> deletes = keys.map(k -> new Op(k, null));
    return Arbitraries.frequencyOf(
            Tuple.of(3, puts), Tuple.of(1, deletes))
        .list()
        .ofMaxSize(400);
  }

  @Property(tries = 300)
  void incrementalUpdatesEqualARebuildFromTheFinalContent(@ForAll("ops") List<Op> ops) {
    HashTree incremental = new HashTree();
    Map<String, byte[]> model = new HashMap<>();
    for (Op op : ops) {
      String name = "key" + op.key();
      byte[] before = model.get(name);
      update(incremental, name, before, op.record());
      if (op.record() == null) {
        model.remove(name);
      } else {
        model.put(name, op.record());
      }
    }
    HashTree rebuilt = treeOf(model);
    assertThat(incremental).isEqualTo(rebuilt);
    assertThat(incremental.root()).isEqualTo(rebuilt.root());
    assertThat(incremental.branches()).isEqualTo(rebuilt.branches());
    assertThat(incremental.differingSegments(rebuilt)).isEmpty();
    assertStructure(incremental);
  }

  /** A tree taking half of the content, merged with {@code addAll} into the other half's. */
  @Property(tries = 200)
  void addAllOfDisjointContentIsTheTreeOfTheUnion(
      @ForAll("contents") Map<String, byte[]> data, @ForAll Random random) {
    Map<String, byte[]> one = new HashMap<>();
    Map<String, byte[]> two = new HashMap<>();
    data.forEach((k, v) -> (random.nextBoolean() ? one : two).put(k, v));
    HashTree merged = treeOf(one);
    HashTree other = treeOf(two);
    HashTree otherBefore = other.copy();
    merged.addAll(other);
    assertThat(merged).isEqualTo(treeOf(data));
    assertThat(merged.branches()).isEqualTo(treeOf(data).branches());
    assertThat(other).isEqualTo(otherBefore);
    assertStructure(merged);
  }

  // (d) Structure.

  static void assertStructure(HashTree tree) {
    long root = 0;
    long[] branches = tree.branches();
    assertThat(branches).hasSize(HashTree.BRANCHES);
    for (int b = 0; b < HashTree.BRANCHES; b++) {
      long[] segments = tree.segmentsOf(b);
      assertThat(segments).hasSize(HashTree.SEGMENTS_PER_BRANCH);
      long branch = 0;
      for (int i = 0; i < segments.length; i++) {
        int s = b * HashTree.SEGMENTS_PER_BRANCH + i;
        assertThat(HashTree.branchOf(s)).isEqualTo(b);
        assertThat(tree.segment(s)).isEqualTo(segments[i]);
        branch ^= segments[i];
      }
      assertThat(branches[b]).as("branch %s", b).isEqualTo(branch);
      root ^= branch;
    }
    assertThat(tree.root()).isEqualTo(root);
  }

  @Property(tries = 200)
  void theRootIsTheXorOfTheBranchesAndEachBranchOfItsSegments(
      @ForAll("contents") Map<String, byte[]> data) {
    HashTree tree = treeOf(data);
    assertStructure(tree);
    for (Map.Entry<String, byte[]> e : data.entrySet()) {
      int s = segmentOf(e.getKey());
      assertThat(s).isBetween(0, HashTree.SEGMENTS - 1);
      assertThat(tree.segment(s)).isNotZero(); // a lone key's contribution is never 0
    }
  }

  @Property(tries = 200)
  void rawAddsKeepTheStructure(
      @ForAll @IntRange(min = 0, max = 200) int count, @ForAll Random random) {
    HashTree tree = new HashTree();
    for (int i = 0; i < count; i++) {
      tree.add(random.nextInt(HashTree.SEGMENTS), random.nextLong());
    }
    assertStructure(tree);
    HashTree copy = tree.copy();
    assertThat(copy).isEqualTo(tree);
    assertStructure(copy);
    copy.add(random.nextInt(HashTree.SEGMENTS), random.nextLong() | 1);
    assertThat(copy).isNotEqualTo(tree); // the copy is independent
    assertThat(copy.differingSegments(tree)).hasSize(1);
  }

  @Example
  void segmentsComeFromTheTopTwelveBitsOfTheKeyHash() {
    assertThat(HashTree.SEGMENTS).isEqualTo(1 << 12);
    assertThat(HashTree.segmentOf(0)).isZero();
    assertThat(HashTree.segmentOf(-1L)).isEqualTo(HashTree.SEGMENTS - 1);
    assertThat(HashTree.segmentOf(Long.MIN_VALUE)).isEqualTo(HashTree.SEGMENTS / 2);
    assertThat(HashTree.segmentOf(0x000F_FFFF_FFFF_FFFFL)).isZero();
    assertThat(HashTree.segmentOf(0x0010_0000_0000_0000L)).isEqualTo(1);
    assertThat(HashTree.branchOf(HashTree.SEGMENTS - 1)).isEqualTo(HashTree.BRANCHES - 1);
  }

  @Example
  void anAbsentOrEmptyRecordContributesNothing() {
    byte[] k = dataKey("x");
    assertThat(KeyHashes.contribution(k, null)).isZero();
    assertThat(KeyHashes.contribution(k, new byte[0])).isZero();
    assertThat(KeyHashes.contribution(k, new byte[] {0})).isNotZero();
    // The key is mixed in: one record under two keys contributes differently.
    assertThat(KeyHashes.contribution(k, new byte[] {1}))
        .isNotEqualTo(KeyHashes.contribution(dataKey("y"), new byte[] {1}));
    HashTree empty = new HashTree();
    assertThat(empty.root()).isZero();
    assertThat(empty).isEqualTo(new HashTree());
    assertThat(empty.differingSegments(new HashTree())).isEmpty();
  }

  @Example
  void differingRefusesArraysOfDifferentLengths() {
    assertThatThrownBy(() -> HashTree.differing(new long[2], new long[3]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(HashTree.differing(new long[] {1, 2, 3}, new long[] {1, 5, 3})).containsExactly(1);
  }
}

package io.dynamo.bench.ycsb;

import static io.dynamo.bench.ycsb.RecordCodecTest.assertSameRecord;
import static io.dynamo.bench.ycsb.RecordCodecTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SiblingMergeTest {
  @Test
  void oneSiblingIsTheRecord() {
    Map<String, byte[]> record = Map.of("a", utf8("1"), "b", utf8("2"));
    assertSameRecord(SiblingMerge.merge(List.of(RecordCodec.encode(record))), record);
  }

  @Test
  void theMergeHasTheUnionOfTheFields() {
    byte[] left = RecordCodec.encode(Map.of("a", utf8("1"), "b", utf8("2")));
    byte[] right = RecordCodec.encode(Map.of("c", utf8("3")));
    assertSameRecord(
        SiblingMerge.merge(List.of(left, right)),
        Map.of("a", utf8("1"), "b", utf8("2"), "c", utf8("3")));
  }

  @Test
  void aSharedFieldTakesTheValueOfTheSiblingWhoseBytesSortHighest() {
    byte[] x = RecordCodec.encode(Map.of("f", utf8("x")));
    byte[] y = RecordCodec.encode(Map.of("f", utf8("y")));
    assertThat(SiblingMerge.merge(List.of(x, y)).get("f")).isEqualTo(utf8("y"));
    assertThat(SiblingMerge.merge(List.of(y, x)).get("f")).isEqualTo(utf8("y"));
  }

  @Test
  void theWholeSiblingWinsNotTheLargestValuePerField() {
    // Same field count; the first difference is field a's value, "z" > "y": the first sibling
    // sorts highest, so its f wins although the other's f is the larger value.
    byte[] first = RecordCodec.encode(Map.of("a", utf8("z"), "f", utf8("1")));
    byte[] second = RecordCodec.encode(Map.of("a", utf8("y"), "f", utf8("2")));
    assertSameRecord(
        SiblingMerge.merge(List.of(second, first)), Map.of("a", utf8("z"), "f", utf8("1")));

    // The field count comes first: a sibling with more fields sorts highest and wins every field
    // it has; the others only contribute fields it lacks.
    byte[] more = RecordCodec.encode(Map.of("a", utf8("a"), "g", utf8("g")));
    byte[] fewer = RecordCodec.encode(Map.of("a", utf8("z")));
    byte[] other = RecordCodec.encode(Map.of("f", utf8("f")));
    assertSameRecord(
        SiblingMerge.merge(List.of(fewer, other, more)),
        Map.of("a", utf8("a"), "f", utf8("f"), "g", utf8("g")));
  }

  @Test
  void bytesCompareUnsignedAndAPrefixSortsLower() {
    byte[] low = RecordCodec.encode(Map.of("f", new byte[] {0x7f}));
    byte[] high = RecordCodec.encode(Map.of("f", new byte[] {(byte) 0x80}));
    assertThat(SiblingMerge.merge(List.of(high, low)).get("f")).containsExactly(0x80);
    assertThat(SiblingMerge.merge(List.of(low, high)).get("f")).containsExactly(0x80);

    // Same layout up to the shorter one's end: {f: "ab"} vs {f: "ab" + "c"} differ first in the
    // value length byte, 2 < 3.
    byte[] shorter = RecordCodec.encode(Map.of("f", utf8("ab")));
    byte[] longer = RecordCodec.encode(Map.of("f", utf8("abc")));
    assertThat(SiblingMerge.merge(List.of(shorter, longer)).get("f")).isEqualTo(utf8("abc"));
  }

  @Test
  void theResultDoesNotDependOnTheOrderOfTheSiblings() {
    SplittableRandom random = new SplittableRandom(5);
    for (int round = 0; round < 200; round++) {
      List<byte[]> siblings = new ArrayList<>();
      int count = 2 + random.nextInt(4);
      for (int s = 0; s < count; s++) {
        Map<String, byte[]> record = new TreeMap<>();
        for (int f = 0; f < 6; f++) {
          if (random.nextBoolean()) {
            byte[] value = new byte[1 + random.nextInt(3)];
            random.nextBytes(value);
            record.put("field" + f, value);
          }
        }
        siblings.add(RecordCodec.encode(record));
      }
      byte[] expected = RecordCodec.encode(SiblingMerge.merge(siblings));
      for (int shuffle = 0; shuffle < 5; shuffle++) {
        List<byte[]> reordered = new ArrayList<>(siblings);
        Collections.shuffle(reordered, new Random(random.nextLong()));
        assertThat(RecordCodec.encode(SiblingMerge.merge(reordered))).isEqualTo(expected);
      }
      // Merging the result with the siblings again changes nothing (idempotent, and no field
      // ever comes back from a sibling that lost).
      List<byte[]> again = new ArrayList<>(siblings);
      again.add(expected);
      assertThat(RecordCodec.encode(SiblingMerge.merge(again))).isEqualTo(expected);
    }
  }

  @Test
  void aRecordMergedWithItselfIsItself() {
    byte[] record = RecordCodec.encode(Map.of("a", utf8("1")));
    assertThat(RecordCodec.encode(SiblingMerge.merge(List.of(record, record.clone()))))
        .isEqualTo(record);
  }

  @Test
  void nothingToMergeAndMalformedSiblingsAreErrors() {
    assertThatThrownBy(() -> SiblingMerge.merge(List.of())).isInstanceOf(IllegalArgumentException.class);
    byte[] good = RecordCodec.encode(Map.of("a", utf8("1")));
    assertThatThrownBy(() -> SiblingMerge.merge(List.of(good, utf8("not a record"))))
        .isInstanceOf(MalformedRecordException.class);
  }
}

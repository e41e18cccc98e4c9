package io.dynamo.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
  @Test
  void theLayoutIsFormatCountThenLengthPrefixedNamesAndValues() {
    Map<String, byte[]> record = new LinkedHashMap<>();
    record.put("b", new byte[] {(byte) 0xff});
    record.put("a", new byte[0]);
    assertThat(RecordCodec.encode(record))
        .containsExactly(1, 2, 1, 'a', 0, 1, 'b', 1, 0xff);
  }

  @Test
  void lengthsOf128AndMoreTakeTwoVarintBytes() {
    byte[] encoded = RecordCodec.encode(Map.of("f", new byte[300]));
    // 300 = 0b10_0101100: low seven bits with the continuation bit, then 2.
    assertThat(Arrays.copyOfRange(encoded, 0, 6)).containsExactly(1, 1, 1, 'f', 0xac, 0x02);
    assertThat(encoded).hasSize(6 + 300);
  }

  @Test
  void aYcsbRecordRoundTrips() {
    SplittableRandom random = new SplittableRandom(3);
    Map<String, byte[]> record = new TreeMap<>();
    for (int i = 0; i < 10; i++) {
      byte[] value = new byte[100];
      random.nextBytes(value);
      record.put("field" + i, value);
    }
    byte[] encoded = RecordCodec.encode(record);
    // Format and count, then per field 1 + 6 name bytes and 1 + 100 value bytes (docs/ycsb.md).
    assertThat(encoded).hasSize(2 + 10 * 108);
    assertSameRecord(RecordCodec.decode(encoded), record);
  }

  @Test
  void randomRecordsRoundTrip() {
    SplittableRandom random = new SplittableRandom(11);
    for (int round = 0; round < 500; round++) {
      Map<String, byte[]> record = new TreeMap<>();
      int fields = random.nextInt(20);
      for (int i = 0; i < fields; i++) {
        StringBuilder name = new StringBuilder();
        int length = random.nextInt(12);
        for (int c = 0; c < length; c++) {
          // ASCII, Latin-1, Greek, and a character outside the BMP (a surrogate pair).
          int[] alphabet = {'x', '_', 0xe9, 0x3bb, 0x1f600};
          name.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
        }
        byte[] value = new byte[random.nextInt(2) == 0 ? random.nextInt(4) : random.nextInt(400)];
        random.nextBytes(value);
        record.put(name.toString(), value);
      }
      assertSameRecord(RecordCodec.decode(RecordCodec.encode(record)), record);
    }
  }

  @Test
  void theEmptyRecordRoundTrips() {
    assertThat(RecordCodec.encode(Map.of())).containsExactly(1, 0);
    assertThat(RecordCodec.decode(new byte[] {1, 0})).isEmpty();
  }

  @Test
  void equalRecordsEncodeToEqualBytesWhateverTheMapOrder() {
    Map<String, byte[]> forward = new LinkedHashMap<>();
    Map<String, byte[]> backward = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      forward.put("field" + i, utf8("v" + i));
      backward.put("field" + (9 - i), utf8("v" + (9 - i)));
    }
    assertThat(RecordCodec.encode(forward)).isEqualTo(RecordCodec.encode(backward));
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] encoded = RecordCodec.encode(Map.of("field0", utf8("hello"), "field1", new byte[200]));
    for (int length = 0; length < encoded.length; length++) {
      byte[] prefix = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> RecordCodec.decode(prefix))
          .as("prefix of %d bytes", length)
          .isInstanceOf(MalformedRecordException.class);
    }
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] encoded = RecordCodec.encode(Map.of("f", utf8("v")));
    byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
    assertThatThrownBy(() -> RecordCodec.decode(longer))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void anUnknownFormatIsRejected() {
    assertThatThrownBy(() -> RecordCodec.decode(new byte[] {2, 0}))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("format 2");
    assertThatThrownBy(() -> RecordCodec.decode(utf8("plain text value")))
        .isInstanceOf(MalformedRecordException.class);
  }

  @Test
  void aRepeatedFieldIsRejected() {
    byte[] twice = {1, 2, 1, 'a', 1, 'x', 1, 'a', 1, 'y'};
    assertThatThrownBy(() -> RecordCodec.decode(twice))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("twice");
  }

  @Test
  void implausibleCountsAndLengthsAreRejectedBeforeAllocating() {
    // A count of 2^31 in five bytes, with nothing behind it.
    byte[] huge = {1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 8};
    assertThatThrownBy(() -> RecordCodec.decode(huge))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("field count");
    // A varint that decodes to a negative long.
    byte[] negative = {1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
    assertThatThrownBy(() -> RecordCodec.decode(negative)).isInstanceOf(MalformedRecordException.class);
    // A value length far beyond the record.
    assertThatThrownBy(() -> RecordCodec.decode(new byte[] {1, 1, 1, 'a', (byte) 0xff, 0x7f}))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("runs past the end");
  }

  @Test
  void aFieldNameThatIsNotUtf8IsRejected() {
    byte[] badName = {1, 1, 1, (byte) 0xc3, 0};
    assertThatThrownBy(() -> RecordCodec.decode(badName))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("UTF-8");
  }

  static void assertSameRecord(SortedMap<String, byte[]> actual, Map<String, byte[]> expected) {
    assertThat(actual.keySet()).containsExactlyElementsOf(new TreeMap<>(expected).keySet());
    expected.forEach((name, value) -> assertThat(actual.get(name)).as(name).isEqualTo(value));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

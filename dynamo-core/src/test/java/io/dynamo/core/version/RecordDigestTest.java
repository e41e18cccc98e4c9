package io.dynamo.core.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordDigestTest {
  @Test
  void matchesTheReferenceXxh64Vectors() {
    // Reference values of XXH64 with seed 0 (xxHash's own test vectors).
    assertThat(RecordDigest.xxh64(new byte[0], 0, 0, 0)).isEqualTo(0xEF46DB3751D8E999L);
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    assertThat(RecordDigest.xxh64(abc, 0, abc.length, 0)).isEqualTo(0x44BC2CF5AD770999L);
    byte[] fox =
        "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
    assertThat(RecordDigest.xxh64(fox, 0, fox.length, 0)).isEqualTo(0x0B242D361FDA71BCL);
  }

  @Test
  void absentRecordsAndOnlyThemHaveTheAbsentDigest() {
    assertThat(RecordDigest.of(null)).isEqualTo(RecordDigest.ABSENT);
    assertThat(RecordDigest.of(new byte[0])).isEqualTo(RecordDigest.ABSENT);
    assertThat(RecordDigest.of(new byte[] {0})).isNotEqualTo(RecordDigest.ABSENT);
  }

  @Test
  void aChangeInAnyByteChangesTheDigest() {
    Random random = new Random(7);
    Set<Long> seen = new HashSet<>();
    for (int len = 1; len < 200; len++) {
      byte[] b = new byte[len];
      random.nextBytes(b);
      long before = RecordDigest.of(b);
      assertThat(seen.add(before)).isTrue();
      for (int i = 0; i < len; i++) {
        b[i] ^= 1;
        assertThat(RecordDigest.of(b)).isNotEqualTo(before);
        b[i] ^= 1;
      }
      assertThat(RecordDigest.of(b)).isEqualTo(before);
    }
  }
}

package io.dynamo.core.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.dynamo.core.ring.NodeId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class VersionCodecTest {
  static final NodeId A = NodeId.of("node-a");
  static final NodeId B = NodeId.of("nœud-b");
  static final NodeId C = NodeId.of("c");

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Three siblings: a value, an empty value and a tombstone, with non-trivial contexts. */
  static SiblingSet sample() {
    VectorClock ctx = VectorClock.of(new Dot(C, 300, 1_700_000_000_000L), new Dot(A, 2, 17));
    Versioned value = Versioned.value(new Dot(A, 3, 1_700_000_000_123L), ctx, utf8("hello"));
    Versioned empty = Versioned.value(new Dot(B, 1, 0), VectorClock.EMPTY, new byte[0]);
    Versioned tomb = Versioned.tombstone(new Dot(C, Long.MAX_VALUE, Long.MAX_VALUE), ctx);
    SiblingSet set = new SiblingSet(List.of(value, empty, tomb));
    assertThat(set.versions()).hasSize(3);
    return set;
  }

  @Test
  void siblingSetsRoundTripWithTombstonesAndEmptyValues() {
    SiblingSet set = sample();
    SiblingSet decoded = VersionCodec.decodeSiblings(VersionCodec.encodeSiblings(set));
    assertThat(decoded).isEqualTo(set);
    assertThat(decoded.versions()).containsExactlyElementsOf(set.versions());
    assertThat(decoded.versions()).filteredOn(v -> v.dot().node().equals(B))
        .singleElement()
        .satisfies(v -> assertThat(v.value()).isEmpty())
        .satisfies(v -> assertThat(v.tombstone()).isFalse());
    assertThat(decoded.versions()).filteredOn(Versioned::tombstone).hasSize(1);
    assertThat(decoded.values()).hasSize(2);
    assertThat(decoded.deleted()).isFalse();
  }

  @Test
  void emptyAndAllTombstoneSetsRoundTrip() {
    assertThat(VersionCodec.decodeSiblings(VersionCodec.encodeSiblings(SiblingSet.EMPTY)))
        .isEqualTo(SiblingSet.EMPTY);
    SiblingSet deleted =
        SiblingSet.of(Versioned.tombstone(new Dot(A, 1, 5), VectorClock.EMPTY));
    SiblingSet decoded = VersionCodec.decodeSiblings(VersionCodec.encodeSiblings(deleted));
    assertThat(decoded).isEqualTo(deleted);
    assertThat(decoded.deleted()).isTrue();
  }

  @Test
  void largeValuesRoundTrip() {
    byte[] big = new byte[1 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + (i >>> 8));
    }
    SiblingSet set = SiblingSet.of(Versioned.value(new Dot(A, 1, 1), VectorClock.EMPTY, big));
    assertThat(VersionCodec.decodeSiblings(VersionCodec.encodeSiblings(set))).isEqualTo(set);
  }

  @Test
  void flippingAnyBitOrByteOfAStoredRecordIsDetected() {
    byte[] good = VersionCodec.encodeSiblings(sample());
    for (int i = 0; i < good.length; i++) {
      for (int mask : new int[] {0xff, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80}) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) mask;
        int at = i;
        assertThatThrownBy(() -> VersionCodec.decodeSiblings(bad))
            .as("byte %d ^ %02x", at, mask)
            .isInstanceOf(MalformedVersionException.class);
      }
    }
  }

  @Test
  void truncatedOrExtendedRecordsAreRejected() {
    byte[] good = VersionCodec.encodeSiblings(sample());
    for (int len = 0; len < good.length; len++) {
      byte[] prefix = Arrays.copyOf(good, len);
      assertThatThrownBy(() -> VersionCodec.decodeSiblings(prefix))
          .as("prefix of %d bytes", len)
          .isInstanceOf(MalformedVersionException.class);
    }
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> VersionCodec.decodeSiblings(longer))
        .isInstanceOf(MalformedVersionException.class);
  }

  /** Re-seals a record body with a valid checksum, as a buggy writer would. */
  static byte[] seal(byte[] body) {
    CRC32C crc = new CRC32C();
    crc.update(body, 0, body.length);
    int v = (int) crc.getValue();
    byte[] out = Arrays.copyOf(body, body.length + 4);
    out[body.length] = (byte) (v >>> 24);
    out[body.length + 1] = (byte) (v >>> 16);
    out[body.length + 2] = (byte) (v >>> 8);
    out[body.length + 3] = (byte) v;
    return out;
  }

  /**
   * Records with a valid checksum but a bad body (a writer bug, or another format) either decode
   * or fail with MalformedVersionException: never another exception that callers do not expect.
   */
  @Test
  void everyMutationOfAResealedBodyDecodesOrIsReportedMalformed() {
    byte[] good = VersionCodec.encodeSiblings(sample());
    byte[] body = Arrays.copyOf(good, good.length - 4);
    for (int i = 0; i < body.length; i++) {
      for (int b = 0; b < 256; b++) {
        byte[] mutated = body.clone();
        mutated[i] = (byte) b;
        decodesOrIsMalformed(seal(mutated), "byte " + i + " = " + b);
      }
    }
    for (int len = 0; len < body.length; len++) {
      decodesOrIsMalformed(seal(Arrays.copyOf(body, len)), "body prefix " + len);
    }
  }

  static void decodesOrIsMalformed(byte[] record, String what) {
    try {
      VersionCodec.decodeSiblings(record);
    } catch (MalformedVersionException expected) {
      // fine
    } catch (RuntimeException e) {
      fail(what + ": expected a MalformedVersionException, got " + e, e);
    }
  }

  /** A hand-built record: format 1, one version of node "a", counter 1, empty context. */
  static byte[] oneVersion(int tombstoneByte, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1); // format
    out.write(1); // one version
    out.write(1); // node id length
    out.write('a');
    out.write(1); // counter
    out.write(9); // timestamp
    out.write(0); // empty context
    out.write(tombstoneByte);
    out.write(value.length);
    out.write(value, 0, value.length);
    return seal(out.toByteArray());
  }

  @Test
  void handBuiltRecordDecodes() {
    SiblingSet set = VersionCodec.decodeSiblings(oneVersion(0, new byte[] {7}));
    Dot dot = new Dot(NodeId.of("a"), 1, 9);
    assertThat(set.versions())
        .containsExactly(Versioned.value(dot, VectorClock.EMPTY, new byte[] {7}));
    assertThat(VersionCodec.encodeSiblings(set)).isEqualTo(oneVersion(0, new byte[] {7}));
  }

  @Test
  void aTombstoneWithAValueIsMalformed() {
    assertThatThrownBy(() -> VersionCodec.decodeSiblings(oneVersion(1, new byte[] {7})))
        .isInstanceOf(MalformedVersionException.class);
  }

  @Test
  void anUnknownTombstoneFlagIsMalformedRatherThanReadAsALiveValue() {
    assertThatThrownBy(() -> VersionCodec.decodeSiblings(oneVersion(2, new byte[0])))
        .isInstanceOf(MalformedVersionException.class);
  }

  @Test
  void unknownSiblingFormatIsMalformed() {
    byte[] body = Arrays.copyOf(VersionCodec.encodeSiblings(SiblingSet.EMPTY), 2);
    body[0] = 3;
    assertThatThrownBy(() -> VersionCodec.decodeSiblings(seal(body)))
        .isInstanceOf(MalformedVersionException.class)
        .hasMessageContaining("format");
  }

  // ---- write ids (format 2) ----------------------------------------------------------------

  static final WriteId ID = WriteId.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});

  /** A set with a plain version, a version with a write id, and one with a write id and aliases. */
  static SiblingSet withWriteIds() {
    VectorClock ctx = VectorClock.of(new Dot(C, 3, 17));
    Versioned plain = Versioned.value(new Dot(C, 9, 5), ctx, utf8("plain"));
    Versioned idOnly =
        Versioned.tombstone(new Dot(B, 2, 6), VectorClock.EMPTY).withWriteId(WriteId.of(new byte[] {9}));
    Versioned aliased =
        new Versioned(
            new Dot(A, 4, 7), ctx, false, utf8("retried"), ID,
            List.of(new Dot(A, 6, 8), new Dot(B, 5, 9)));
    return new SiblingSet(List.of(plain, idOnly, aliased));
  }

  @Test
  void writeIdsAndAliasesRoundTripInFormatTwo() {
    SiblingSet set = withWriteIds();
    byte[] record = VersionCodec.encodeSiblings(set);
    assertThat(record[0]).isEqualTo((byte) 2);
    SiblingSet decoded = VersionCodec.decodeSiblings(record);
    assertThat(decoded).isEqualTo(set);
    assertThat(decoded.withWriteId(ID).aliases()).containsExactly(new Dot(A, 6, 8), new Dot(B, 5, 9));
    assertThat(decoded.withWriteId(ID).clock().counters()).containsEntry(A, 6L).containsEntry(B, 5L);
  }

  @Test
  void setsWithoutWriteIdsStayInFormatOneByteForByte() {
    // Records of data written before write ids (and of writes without one) keep their bytes, so
    // their digests, and nodes that only read format 1, are unaffected.
    assertThat(VersionCodec.encodeSiblings(sample())[0]).isEqualTo((byte) 1);
    assertThat(VersionCodec.encodeSiblings(VersionCodec.decodeSiblings(oneVersion(0, new byte[] {7}))))
        .isEqualTo(oneVersion(0, new byte[] {7}));
  }

  @Test
  void everyMutationOfAFormatTwoBodyDecodesOrIsReportedMalformed() {
    byte[] record = VersionCodec.encodeSiblings(withWriteIds());
    byte[] body = Arrays.copyOf(record, record.length - 4);
    for (int i = 0; i < body.length; i++) {
      for (int b : new int[] {0, 1, 2, 4, 7, 0x7f, 0x80, 0xff}) {
        byte[] mutated = body.clone();
        mutated[i] = (byte) b;
        decodesOrIsMalformed(seal(mutated), "byte " + i + " = " + b);
      }
    }
    for (int len = 0; len < body.length; len++) {
      decodesOrIsMalformed(seal(Arrays.copyOf(body, len)), "body prefix " + len);
    }
  }

  // ---- client contexts -----------------------------------------------------------------------

  @Test
  void emptyContextIsTheEmptyClock() {
    assertThat(VersionCodec.decodeClock(new byte[0])).isEqualTo(VectorClock.EMPTY);
    assertThat(VersionCodec.decodeClock(VersionCodec.encodeClock(VectorClock.EMPTY)))
        .isEqualTo(VectorClock.EMPTY);
  }

  @Test
  void clocksRoundTrip() {
    VectorClock clock =
        VectorClock.of(new Dot(A, 1, 0), new Dot(B, 128, 1L << 40), new Dot(C, Long.MAX_VALUE, 3));
    VectorClock decoded = VersionCodec.decodeClock(VersionCodec.encodeClock(clock));
    assertThat(decoded.entries()).containsExactlyElementsOf(clock.entries());
  }

  /** Contexts come from clients and carry no checksum: garbage must fail cleanly. */
  @Test
  void anyMutationOrTruncationOfAContextDecodesOrIsReportedMalformed() {
    byte[] good =
        VersionCodec.encodeClock(
            VectorClock.of(new Dot(A, 5, 1_700_000_000_000L), new Dot(B, 300, 2)));
    for (int i = 0; i < good.length; i++) {
      for (int b = 0; b < 256; b++) {
        byte[] mutated = good.clone();
        mutated[i] = (byte) b;
        contextDecodesOrIsMalformed(mutated, "byte " + i + " = " + b);
      }
    }
    for (int len = 1; len < good.length; len++) {
      byte[] prefix = Arrays.copyOf(good, len);
      assertThatThrownBy(() -> VersionCodec.decodeClock(prefix))
          .as("prefix %d", len)
          .isInstanceOf(MalformedVersionException.class);
    }
    assertThatThrownBy(() -> VersionCodec.decodeClock(Arrays.copyOf(good, good.length + 1)))
        .isInstanceOf(MalformedVersionException.class);
  }

  static void contextDecodesOrIsMalformed(byte[] bytes, String what) {
    try {
      VersionCodec.decodeClock(bytes);
    } catch (MalformedVersionException expected) {
      // fine
    } catch (RuntimeException e) {
      fail(what + ": expected a MalformedVersionException, got " + e, e);
    }
  }

  @Test
  void contextsWithDuplicateNodesZeroCountersOrOverlongVarintsAreMalformed() {
    // format 1, two entries both for node "a"
    byte[] duplicate = {1, 2, 1, 'a', 1, 0, 1, 'a', 2, 0};
    assertThatThrownBy(() -> VersionCodec.decodeClock(duplicate))
        .isInstanceOf(MalformedVersionException.class);
    byte[] zeroCounter = {1, 1, 1, 'a', 0, 0};
    assertThatThrownBy(() -> VersionCodec.decodeClock(zeroCounter))
        .isInstanceOf(MalformedVersionException.class);
    byte[] emptyNode = {1, 1, 0, 1, 0};
    assertThatThrownBy(() -> VersionCodec.decodeClock(emptyNode))
        .isInstanceOf(MalformedVersionException.class);
    byte[] overlong = new byte[14];
    overlong[0] = 1;
    overlong[1] = 1;
    overlong[2] = 1;
    overlong[3] = 'a';
    Arrays.fill(overlong, 4, 14, (byte) 0x80);
    assertThatThrownBy(() -> VersionCodec.decodeClock(overlong))
        .isInstanceOf(MalformedVersionException.class);
    byte[] unknownFormat = {2, 0};
    assertThatThrownBy(() -> VersionCodec.decodeClock(unknownFormat))
        .isInstanceOf(MalformedVersionException.class);
    byte[] hugeCount = {1, (byte) 0xff, (byte) 0xff, 0x03};
    assertThatThrownBy(() -> VersionCodec.decodeClock(hugeCount))
        .isInstanceOf(MalformedVersionException.class);
  }
}

package io.dynamo.bench.ycsb;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The stored form of a YCSB record (its field map) as one Dynamo value:
 *
 * <pre>
 *   record = format:u8 (=1) count:varint field*
 *   field  = nameLength:varint name:UTF-8 valueLength:varint value:bytes
 * </pre>
 *
 * Varints are unsigned LEB128. Fields are written in name order, so equal records have equal bytes,
 * which the sibling merge relies on ({@link SiblingMerge}). Decoding checks every length against the
 * bytes left and rejects a repeated name or trailing bytes, so a value that is not a record fails
 * with {@link MalformedRecordException} rather than decoding to garbage.
 */
public final class RecordCodec {
  static final int FORMAT = 1;

  private RecordCodec() {}

  /** Encodes the fields in name order. */
  public static byte[] encode(Map<String, byte[]> fields) {
    SortedMap<String, byte[]> sorted =
        fields instanceof SortedMap<String, byte[]> s && s.comparator() == null
            ? s
            : new TreeMap<>(fields);
    int estimate = 8;
    for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
      estimate += 10 + e.getKey().length() * 3 + e.getValue().length;
    }
    Writer w = new Writer(estimate);
    w.write(FORMAT);
    w.varint(sorted.size());
    for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
      w.bytes(e.getKey().getBytes(StandardCharsets.UTF_8));
      w.bytes(e.getValue());
    }
    return w.toByteArray();
  }

  /** Decodes a record into a map sorted by field name. */
  public static SortedMap<String, byte[]> decode(byte[] bytes) {
    Reader r = new Reader(bytes);
    int format = r.u8();
    if (format != FORMAT) {
      throw new MalformedRecordException("unknown record format " + format);
    }
    long count = r.varint();
    // Every field takes at least two bytes (two empty lengths): a larger count is a lie.
    if (count < 0 || count > (bytes.length - r.pos) / 2) {
      throw new MalformedRecordException("field count " + count + " exceeds what "
          + bytes.length + " bytes can hold");
    }
    SortedMap<String, byte[]> fields = new TreeMap<>();
    for (long i = 0; i < count; i++) {
      String name = r.utf8(r.bytes());
      byte[] value = r.bytes();
      if (fields.put(name, value) != null) {
        throw new MalformedRecordException("field '" + name + "' appears twice");
      }
    }
    if (r.pos != bytes.length) {
      throw new MalformedRecordException((bytes.length - r.pos) + " trailing bytes");
    }
    return fields;
  }

  private static final class Writer extends ByteArrayOutputStream {
    Writer(int size) {
      super(size);
    }

    void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      write((int) v);
    }

    void bytes(byte[] b) {
      varint(b.length);
      write(b, 0, b.length);
    }
  }

  private static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] b) {
      this.b = b;
    }

    int u8() {
      if (pos >= b.length) {
        throw new MalformedRecordException("truncated at byte " + pos);
      }
      return b[pos++] & 0xff;
    }

    long varint() {
      long out = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int x = u8();
        out |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return out;
        }
      }
      throw new MalformedRecordException("varint too long at byte " + pos);
    }

    byte[] bytes() {
      long n = varint();
      if (n < 0 || n > b.length - pos) {
        throw new MalformedRecordException("length " + n + " at byte " + pos + " runs past the end");
      }
      byte[] out = new byte[(int) n];
      System.arraycopy(b, pos, out, 0, (int) n);
      pos += (int) n;
      return out;
    }

    String utf8(byte[] name) {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(name))
            .toString();
      } catch (CharacterCodingException e) {
        throw new MalformedRecordException("field name is not UTF-8 at byte " + pos);
      }
    }
  }
}

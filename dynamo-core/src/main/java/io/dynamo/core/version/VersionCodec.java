package io.dynamo.core.version;

import io.dynamo.core.ring.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Compact binary forms of clocks (the opaque context clients carry) and sibling sets (what a replica
 * stores under a key). Counters and timestamps are unsigned varints, node ids length-prefixed UTF-8.
 * Both forms start with a format byte so they can evolve; stored sets end with a CRC32C so a
 * corrupted record is reported rather than served or silently overwritten.
 */
public final class VersionCodec {
  private static final int CLOCK_FORMAT = 1;
  /** The first sibling format: versions without write ids. */
  private static final int SIBLINGS_FORMAT_PLAIN = 1;
  /**
   * Adds a flags byte per version (bit 0 tombstone, bit 1 write id follows the value, bit 2 aliases
   * follow). A set with no write ids is still written in format 1, so records that do not use ids
   * stay byte for byte as before (same digests, readable by nodes that predate format 2).
   */
  private static final int SIBLINGS_FORMAT_WRITE_IDS = 2;
  private static final int FLAG_TOMBSTONE = 1;
  private static final int FLAG_WRITE_ID = 2;
  private static final int FLAG_ALIASES = 4;
  private static final int MAX_ENTRIES = 4096;

  private VersionCodec() {}

  public static byte[] encodeClock(VectorClock clock) {
    Writer w = new Writer(8 + clock.size() * 16);
    w.byteValue(CLOCK_FORMAT);
    w.clock(clock);
    return w.toByteArray();
  }

  /** Decodes a client context; an empty array is the empty clock (a blind write). */
  public static VectorClock decodeClock(byte[] bytes) {
    if (bytes.length == 0) {
      return VectorClock.EMPTY;
    }
    Reader r = new Reader(bytes, bytes.length);
    int format = r.byteValue();
    if (format != CLOCK_FORMAT) {
      throw new MalformedVersionException("unknown context format " + format);
    }
    VectorClock clock = r.clock();
    r.expectEnd();
    return clock;
  }

  public static byte[] encodeSiblings(SiblingSet set) {
    Writer w = new Writer(estimatedSize(set));
    boolean ids = set.versions().stream().anyMatch(v -> v.writeId() != null);
    w.byteValue(ids ? SIBLINGS_FORMAT_WRITE_IDS : SIBLINGS_FORMAT_PLAIN);
    w.varint(set.versions().size());
    for (Versioned v : set.versions()) {
      w.dot(v.dot());
      w.clock(v.context());
      int flags = v.tombstone() ? FLAG_TOMBSTONE : 0;
      if (v.writeId() != null) {
        flags |= FLAG_WRITE_ID;
      }
      if (!v.aliases().isEmpty()) {
        flags |= FLAG_ALIASES;
      }
      w.byteValue(flags);
      w.bytes(v.value());
      if (v.writeId() != null) {
        w.bytes(v.writeId().unsafeBytes());
      }
      if (!v.aliases().isEmpty()) {
        w.varint(v.aliases().size());
        for (Dot alias : v.aliases()) {
          w.dot(alias);
        }
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(w.buf(), 0, w.size());
    w.fixedInt((int) crc.getValue());
    return w.toByteArray();
  }

  /** Room for a set's record, so that encoding it rarely grows the buffer. */
  private static int estimatedSize(SiblingSet set) {
    long size = 16;
    for (Versioned v : set.versions()) {
      size += v.value().length + 32 + (long) (v.context().size() + 1) * 24;
    }
    return (int) Math.min(size, Integer.MAX_VALUE - 8);
  }

  public static SiblingSet decodeSiblings(byte[] bytes) {
    if (bytes.length < 5) {
      throw new MalformedVersionException("stored record too short: " + bytes.length + " bytes");
    }
    int bodyLength = bytes.length - 4;
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bodyLength);
    int expected =
        ((bytes[bodyLength] & 0xff) << 24)
            | ((bytes[bodyLength + 1] & 0xff) << 16)
            | ((bytes[bodyLength + 2] & 0xff) << 8)
            | (bytes[bodyLength + 3] & 0xff);
    if ((int) crc.getValue() != expected) {
      throw new MalformedVersionException("stored record fails its checksum");
    }
    Reader r = new Reader(bytes, bodyLength);
    int format = r.byteValue();
    if (format != SIBLINGS_FORMAT_PLAIN && format != SIBLINGS_FORMAT_WRITE_IDS) {
      throw new MalformedVersionException("unknown sibling format " + format);
    }
    int maxFlags =
        format == SIBLINGS_FORMAT_PLAIN ? FLAG_TOMBSTONE : FLAG_TOMBSTONE | FLAG_WRITE_ID | FLAG_ALIASES;
    int count = r.count();
    List<Versioned> versions = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Dot dot = r.dot();
      VectorClock context = r.clock();
      int flags = r.byteValue();
      if ((flags & ~maxFlags) != 0) {
        throw new MalformedVersionException("bad version flags " + flags);
      }
      boolean tombstone = (flags & FLAG_TOMBSTONE) != 0;
      byte[] value = r.bytes();
      if (tombstone && value.length > 0) {
        throw new MalformedVersionException("tombstone with a " + value.length + "-byte value");
      }
      WriteId writeId = null;
      List<Dot> aliases = List.of();
      if ((flags & FLAG_WRITE_ID) != 0) {
        writeId = r.writeId();
      }
      if ((flags & FLAG_ALIASES) != 0) {
        int n = r.count();
        aliases = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
          aliases.add(r.dot());
        }
      }
      try {
        versions.add(new Versioned(dot, context, tombstone, value, writeId, aliases));
      } catch (IllegalArgumentException e) {
        throw new MalformedVersionException("bad version: " + e.getMessage());
      }
    }
    r.expectEnd();
    return new SiblingSet(versions);
  }

  /** A growable byte buffer; unlike ByteArrayOutputStream, without a lock on every byte. */
  private static final class Writer {
    private byte[] buf;
    private int size;

    Writer(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    byte[] buf() {
      return buf;
    }

    int size() {
      return size;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    void write(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, size, len);
      size += len;
    }

    void byteValue(int b) {
      write(b);
    }

    void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      write((int) v);
    }

    void fixedInt(int v) {
      write(v >>> 24);
      write(v >>> 16);
      write(v >>> 8);
      write(v);
    }

    void bytes(byte[] b) {
      varint(b.length);
      write(b, 0, b.length);
    }

    void dot(Dot d) {
      bytes(d.node().value().getBytes(StandardCharsets.UTF_8));
      varint(d.counter());
      varint(d.timestampMillis());
    }

    void clock(VectorClock c) {
      varint(c.size());
      for (Dot d : c.entries()) {
        dot(d);
      }
    }
  }

  private static final class Reader {
    private final byte[] b;
    private final int end;
    private int pos;

    Reader(byte[] b, int end) {
      this.b = b;
      this.end = end;
    }

    int byteValue() {
      if (pos >= end) {
        throw new MalformedVersionException("truncated at byte " + pos);
      }
      return b[pos++] & 0xff;
    }

    long varint() {
      long out = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int x = byteValue();
        out |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return out;
        }
      }
      throw new MalformedVersionException("varint too long at byte " + pos);
    }

    int count() {
      long n = varint();
      if (n < 0 || n > MAX_ENTRIES) {
        throw new MalformedVersionException("implausible count " + n);
      }
      return (int) n;
    }

    byte[] bytes() {
      long n = varint();
      if (n < 0 || n > end - pos) {
        throw new MalformedVersionException("length " + n + " runs past the end");
      }
      byte[] out = new byte[(int) n];
      System.arraycopy(b, pos, out, 0, (int) n);
      pos += (int) n;
      return out;
    }

    Dot dot() {
      byte[] node = bytes();
      long counter = varint();
      long ts = varint();
      try {
        return new Dot(new NodeId(new String(node, StandardCharsets.UTF_8)), counter, ts);
      } catch (IllegalArgumentException e) {
        throw new MalformedVersionException("bad clock entry: " + e.getMessage());
      }
    }

    WriteId writeId() {
      try {
        return WriteId.of(bytes());
      } catch (IllegalArgumentException e) {
        throw new MalformedVersionException(e.getMessage());
      }
    }

    VectorClock clock() {
      int n = count();
      List<Dot> dots = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        dots.add(dot());
      }
      try {
        return VectorClock.of(dots);
      } catch (IllegalArgumentException e) {
        throw new MalformedVersionException(e.getMessage());
      }
    }

    void expectEnd() {
      if (pos != end) {
        throw new MalformedVersionException((end - pos) + " trailing bytes");
      }
    }
  }
}

package io.dynamo.core.transfer;

import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.storage.StorageException;
import io.dynamo.core.storage.WriteBatch;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A target's durable progress for one transfer, one META row per transfer id: the last key
 * applied (every record of the source's snapshot up to it is merged into the data), the counts so
 * far, and whether the transfer completed.
 */
record ProgressRow(int partition, NodeId source, byte[] afterKey, long keysDone, long bytesDone, boolean done) {
  private static final byte FORMAT = 1;
  private static final byte[] PREFIX = "transfer-in/".getBytes(StandardCharsets.US_ASCII);

  static byte[] key(TransferId id) {
    byte[] name = id.value().getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[PREFIX.length + name.length];
    System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
    System.arraycopy(name, 0, out, PREFIX.length, name.length);
    return out;
  }

  static ProgressRow read(StorageEngine engine, TransferId id) {
    byte[] raw = engine.get(Keyspace.META, key(id));
    return raw == null ? null : decode(id, raw);
  }

  void write(StorageEngine engine, TransferId id) {
    engine.write(new WriteBatch().put(Keyspace.META, key(id), encode()));
  }

  static void delete(StorageEngine engine, TransferId id) {
    engine.write(new WriteBatch().delete(Keyspace.META, key(id)));
  }

  byte[] encode() {
    byte[] src = source.value().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + 4 + src.length + 4 + afterKey.length + 8 + 8 + 1);
    b.put(FORMAT).putInt(partition).putInt(src.length).put(src).putInt(afterKey.length).put(afterKey)
        .putLong(keysDone).putLong(bytesDone).put((byte) (done ? 1 : 0));
    return b.array();
  }

  private static int length(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      throw new IllegalArgumentException("length " + n + " past the row's end");
    }
    return n;
  }

  static ProgressRow decode(TransferId id, byte[] raw) {
    try {
      ByteBuffer b = ByteBuffer.wrap(raw);
      if (b.get() != FORMAT) {
        throw new StorageException("transfer progress of " + id + " has an unknown format");
      }
      int partition = b.getInt();
      byte[] src = new byte[length(b)];
      b.get(src);
      byte[] after = new byte[length(b)];
      b.get(after);
      long keys = b.getLong();
      long bytes = b.getLong();
      boolean done = b.get() != 0;
      return new ProgressRow(
          partition, NodeId.of(new String(src, StandardCharsets.UTF_8)), after, keys, bytes, done);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new StorageException("transfer progress of " + id + " is corrupt", e);
    }
  }
}

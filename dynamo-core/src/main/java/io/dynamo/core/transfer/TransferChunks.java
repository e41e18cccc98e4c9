package io.dynamo.core.transfer;

import com.google.protobuf.ByteString;
import io.dynamo.core.storage.DataKey;
import io.dynamo.proto.v1.TransferChunk;
import io.dynamo.proto.v1.TransferRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The pure rules of a chunk: a partition's key range, the chunk checksum, and the checks a target
 * runs on a chunk before applying any of it. No I/O.
 */
final class TransferChunks {
  /** Smallest data key: 4 bytes of partition and 1 of bucket length. */
  static final int MIN_KEY_BYTES = 5;
  /** Largest data key: partition, bucket length, a 255-byte bucket and a generous key. */
  static final int MAX_KEY_BYTES = 5 + DataKey.MAX_BUCKET_BYTES + 64 * 1024;

  private TransferChunks() {}

  /** Partitions are small non-negative numbers; this keeps {@code partition + 1} in range. */
  static boolean validPartition(long partition) {
    return partition >= 0 && partition < Integer.MAX_VALUE;
  }

  static byte[] start(int partition) {
    return DataKey.partitionStart(partition);
  }

  static byte[] end(int partition) {
    return DataKey.partitionStart(partition + 1);
  }

  /** Whether {@code key} lies in the partition's range of data keys. */
  static boolean inPartition(byte[] key, int partition) {
    return key.length >= MIN_KEY_BYTES
        && Arrays.compareUnsigned(key, start(partition)) >= 0
        && Arrays.compareUnsigned(key, end(partition)) < 0;
  }

  /** Where a scan for the records after {@code afterKey} (empty: none yet) begins. */
  static byte[] scanFrom(int partition, byte[] afterKey) {
    if (afterKey.length == 0) {
      return start(partition);
    }
    return Arrays.copyOf(afterKey, afterKey.length + 1); // the smallest key above afterKey
  }

  /**
   * Whether {@code raw} is a well-formed data key: the bucket's length fits and its bytes are UTF-8
   * that decodes and encodes back to exactly these bytes.
   */
  static boolean wellFormedKey(byte[] raw) {
    if (raw.length < MIN_KEY_BYTES || raw.length > MAX_KEY_BYTES) {
      return false;
    }
    int bucketLength = raw[4] & 0xff;
    if (bucketLength == 0 || 5 + bucketLength > raw.length) {
      return false;
    }
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw, 5, bucketLength));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** CRC32C over everything a chunk carries that the target acts on. */
  static int checksum(
      long partition, ByteString afterKey, List<TransferRecord> records, ByteString lastKey, boolean done) {
    CRC32C crc = new CRC32C();
    ByteBuffer header = ByteBuffer.allocate(8);
    header.putLong(partition).flip();
    crc.update(header);
    update(crc, afterKey);
    for (TransferRecord r : records) {
      update(crc, r.getKey());
      update(crc, r.getRecord());
    }
    update(crc, lastKey);
    crc.update(done ? 1 : 0);
    return (int) crc.getValue();
  }

  private static void update(CRC32C crc, ByteString bytes) {
    ByteBuffer length = ByteBuffer.allocate(4);
    length.putInt(bytes.size()).flip();
    crc.update(length);
    crc.update(bytes.asReadOnlyByteBuffer());
  }

  static boolean checksumMatches(TransferChunk chunk) {
    return checksum(chunk.getPartition(), chunk.getAfterKey(), chunk.getRecordsList(),
        chunk.getLastKey(), chunk.getDone()) == chunk.getCrc32C();
  }

  /** Keys plus records of a chunk. */
  static long contentBytes(List<TransferRecord> records) {
    long total = 0;
    for (TransferRecord r : records) {
      total += r.getKey().size() + r.getRecord().size();
    }
    return total;
  }

  /**
   * Why the target must refuse {@code chunk} (already known to answer its request and to pass its
   * checksum), or null if it may apply it: every key well formed, inside the partition, after
   * {@code afterKey} and in ascending order; no empty record; within the size bounds asked for;
   * {@code last_key} the last record's key.
   */
  static String refusal(
      TransferChunk chunk, int partition, byte[] afterKey, int maxBytes, int maxRecords, int maxRecordBytes) {
    String size = sizeRefusal(chunk, maxBytes, maxRecords, maxRecordBytes);
    return size != null ? size : contentRefusal(chunk, partition, afterKey);
  }

  /** Why a chunk is too large (more records or bytes than asked for), or null. Cheap: no copies. */
  static String sizeRefusal(TransferChunk chunk, int maxBytes, int maxRecords, int maxRecordBytes) {
    int n = chunk.getRecordsCount();
    if (n > maxRecords) {
      return n + " records, more than the " + maxRecords + " asked for";
    }
    long bytes = contentBytes(chunk.getRecordsList());
    boolean oneLargeRecord = n == 1 && chunk.getRecords(0).getRecord().size() <= maxRecordBytes
        && chunk.getRecords(0).getKey().size() <= MAX_KEY_BYTES;
    if (bytes > maxBytes && !oneLargeRecord) {
      return bytes + " bytes, more than the " + maxBytes + " asked for";
    }
    return null;
  }

  /** Why a chunk's keys or records break the rules of {@link #refusal}, or null. */
  static String contentRefusal(TransferChunk chunk, int partition, byte[] afterKey) {
    int n = chunk.getRecordsCount();
    if (n == 0) {
      if (!chunk.getDone() || !chunk.getLastKey().isEmpty()) {
        return "no records, yet not the end of the partition";
      }
      return null;
    }
    byte[] previous = afterKey;
    for (int i = 0; i < n; i++) {
      TransferRecord r = chunk.getRecords(i);
      byte[] key = r.getKey().toByteArray();
      if (!inPartition(key, partition)) {
        return "key " + i + " lies outside partition " + partition;
      }
      if (!wellFormedKey(key)) {
        return "key " + i + " is not a well-formed data key";
      }
      if (previous.length > 0 && Arrays.compareUnsigned(key, previous) <= 0) {
        return "key " + i + " does not follow the previous key";
      }
      if (r.getRecord().isEmpty()) {
        return "record " + i + " is empty";
      }
      previous = key;
    }
    if (!Arrays.equals(previous, chunk.getLastKey().toByteArray())) {
      return "last_key is not the last record's key";
    }
    return null;
  }
}

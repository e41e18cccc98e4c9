package io.dynamo.core.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.StorageException;
import io.dynamo.proto.v1.TransferChunk;
import io.dynamo.proto.v1.TransferRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts: the token bucket, the chunk checks and checksum, the progress row, settings. */
class TransferUnitsTest {
  static ByteString key(int partition, String k) {
    return ByteString.copyFrom(new DataKey(partition, "b", k.getBytes(StandardCharsets.UTF_8)).encode());
  }

  static TransferChunk chunk(int partition, ByteString after, boolean done, ByteString... keys) {
    TransferChunk.Builder b = TransferChunk.newBuilder().setPartition(partition).setAfterKey(after).setDone(done);
    for (ByteString k : keys) {
      b.addRecords(TransferRecord.newBuilder().setKey(k).setRecord(ByteString.copyFromUtf8("r")));
    }
    if (keys.length > 0) {
      b.setLastKey(keys[keys.length - 1]);
    }
    return b.setCrc32C(TransferChunks.checksum(partition, after, b.getRecordsList(), b.getLastKey(), done)).build();
  }

  static String refusal(TransferChunk c, byte[] after) {
    return TransferChunks.refusal(c, 7, after, 1000, 10, 5000);
  }

  @Test
  void theBucketLetsABurstThroughThenHoldsTheRate() {
    TokenBucket bucket = new TokenBucket(1000, 500); // 1000 bytes/s, 500 ahead
    assertThat(bucket.delayMillis(0)).isZero();
    bucket.spend(500, 0);
    assertThat(bucket.delayMillis(0)).isZero();
    bucket.spend(1000, 0);
    assertThat(bucket.delayMillis(0)).isEqualTo(1000);
    assertThat(bucket.delayMillis(600)).isEqualTo(400);
    assertThat(bucket.delayMillis(1000)).isZero();
    assertThat(bucket.delayMillis(100_000)).isZero();
    bucket.spend(1500, 100_000); // refilled only up to the burst
    assertThat(bucket.delayMillis(100_000)).isEqualTo(1000);
    TokenBucket unlimited = new TokenBucket(0, 0);
    unlimited.spend(1L << 40, 0);
    assertThat(unlimited.delayMillis(0)).isZero();
  }

  @Test
  void aWellFormedChunkPassesAndItsChecksumCoversEveryField() {
    TransferChunk c = chunk(7, ByteString.EMPTY, false, key(7, "a"), key(7, "b"));
    assertThat(refusal(c, new byte[0])).isNull();
    assertThat(TransferChunks.checksumMatches(c)).isTrue();
    assertThat(TransferChunks.checksumMatches(c.toBuilder().setDone(true).build())).isFalse();
    assertThat(TransferChunks.checksumMatches(c.toBuilder().setLastKey(key(7, "c")).build())).isFalse();
    assertThat(TransferChunks.checksumMatches(c.toBuilder().setPartition(8).build())).isFalse();
    assertThat(TransferChunks.checksumMatches(c.toBuilder()
        .setRecords(0, c.getRecords(0).toBuilder().setRecord(ByteString.copyFromUtf8("s"))).build())).isFalse();
    assertThat(refusal(chunk(7, ByteString.EMPTY, true), new byte[0])).isNull(); // an empty partition
  }

  @Test
  void chunksBreakingTheRulesAreRefusedWithAReason() {
    byte[] after = key(7, "m").toByteArray();
    ByteString a = ByteString.copyFrom(after);
    assertThat(refusal(chunk(7, a, false, key(8, "z")), after)).contains("outside partition");
    assertThat(refusal(chunk(7, a, false, key(6, "z")), after)).contains("outside partition");
    assertThat(refusal(chunk(7, a, false, key(7, "a")), after)).contains("does not follow");
    assertThat(refusal(chunk(7, a, false, key(7, "m")), after)).contains("does not follow");
    assertThat(refusal(chunk(7, a, false, key(7, "x"), key(7, "w")), after)).contains("does not follow");
    assertThat(refusal(chunk(7, a, false), after)).contains("no records");
    assertThat(refusal(chunk(7, a, false,
        ByteString.copyFrom(new byte[] {0, 0, 0, 7, 9, 'b'})), after)).contains("well-formed");
    assertThat(refusal(chunk(7, a, false,
        ByteString.copyFrom(new byte[] {0, 0, 0, 7, 1, (byte) 0xff, 'k'})), after)).contains("well-formed");
    ByteString[] many = new ByteString[11];
    for (int i = 0; i < many.length; i++) {
      many[i] = key(7, "n" + (char) ('a' + i));
    }
    assertThat(refusal(chunk(7, a, false, many), after)).contains("11 records");
    TransferChunk big = chunk(7, a, false, key(7, "n"), key(7, "o")).toBuilder()
        .setRecords(1, TransferRecord.newBuilder().setKey(key(7, "o"))
            .setRecord(ByteString.copyFrom(new byte[1000]))).build();
    assertThat(refusal(big, after)).contains("more than the 1000");
    TransferChunk oneLarge = chunk(7, a, false, key(7, "n")).toBuilder()
        .setRecords(0, TransferRecord.newBuilder().setKey(key(7, "n"))
            .setRecord(ByteString.copyFrom(new byte[4000]))).build();
    assertThat(refusal(oneLarge, after)).as("one record may exceed the chunk size").isNull();
    TransferChunk tooLarge = oneLarge.toBuilder().setRecords(0, TransferRecord.newBuilder().setKey(key(7, "n"))
        .setRecord(ByteString.copyFrom(new byte[6000]))).build();
    assertThat(refusal(tooLarge, after)).contains("more than");
    TransferChunk wrongLast = chunk(7, a, false, key(7, "n"), key(7, "o")).toBuilder().setLastKey(key(7, "n")).build();
    assertThat(refusal(wrongLast, after)).contains("last_key");
  }

  @Test
  void theProgressRowRoundTripsAndACorruptOneIsAStorageError() {
    TransferId id = TransferId.of("t1");
    ProgressRow row = new ProgressRow(7, NodeId.of("a"), key(7, "k").toByteArray(), 12, 3456, false);
    ProgressRow back = ProgressRow.decode(id, row.encode());
    assertThat(back.partition()).isEqualTo(7);
    assertThat(back.source()).isEqualTo(NodeId.of("a"));
    assertThat(back.afterKey()).isEqualTo(row.afterKey());
    assertThat(back.keysDone()).isEqualTo(12);
    assertThat(back.bytesDone()).isEqualTo(3456);
    byte[] raw = row.encode();
    raw[8] = 0x7f; // the source's length
    assertThatThrownBy(() -> ProgressRow.decode(id, raw)).isInstanceOf(StorageException.class);
    assertThatThrownBy(() -> ProgressRow.decode(id, new byte[] {1, 0})).isInstanceOf(StorageException.class);
  }

  @Test
  void idsAndSettingsAreChecked() {
    assertThat(TransferId.valid("p7-v12")).isTrue();
    for (String bad : List.of("", "a b", "x\n", "é", "x".repeat(129))) {
      assertThat(TransferId.valid(bad)).as(bad).isFalse();
    }
    assertThatThrownBy(() -> TransferSettings.DEFAULTS.withConcurrency(0, 1))
        .hasMessageContaining("transfer.max-incoming");
    assertThatThrownBy(() -> TransferSettings.DEFAULTS.withTimeouts(10, 5, 100))
        .hasMessageContaining("transfer.max-request-timeout");
    assertThatThrownBy(() -> TransferSettings.DEFAULTS.withRate(1000, 10))
        .hasMessageContaining("transfer.burst-bytes");
  }
}

package io.dynamo.core.cluster;

import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.StorageEngine;
import io.dynamo.core.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Keeps the node's cluster state under one {@link Keyspace#META} key, so a restarted node starts
 * from what it last knew rather than from its seeds alone. The stored form is a format byte, the
 * protobuf state and a CRC32C of both, so a corrupted row is reported rather than taken in. Calls
 * block on the engine: make them off the protocol thread.
 */
public final class ClusterStateStore {
  /** The META key of the stored state. */
  // Not under "c": that META prefix held the per-key dot counters of earlier versions, which
  // DotCounter reads and deletes on open.
  static final byte[] KEY = "membership/state".getBytes(StandardCharsets.US_ASCII);

  private static final int FORMAT = 1;

  private final StorageEngine engine;

  public ClusterStateStore(StorageEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /**
   * Writes {@code state}, as durable as the node's data writes (fsynced only with {@code
   * storage.sync}). The state changes with every gossiped entry, and a node's storage may run on
   * its event loop: an fsync per change would stall requests during a move. What a power loss
   * takes back, a restarted node gets again from its peers' gossip.
   */
  public void save(ClusterState state) {
    byte[] body = ClusterStateCodec.encode(state);
    byte[] row = new byte[1 + body.length + 4];
    row[0] = FORMAT;
    System.arraycopy(body, 0, row, 1, body.length);
    int crc = crc(row, row.length - 4);
    for (int i = 0; i < 4; i++) {
      row[row.length - 4 + i] = (byte) (crc >>> (24 - 8 * i));
    }
    engine.write(new WriteBatch().put(Keyspace.META, KEY, row));
  }

  /**
   * The saved state, or empty if none was ever saved.
   *
   * @throws MalformedClusterStateException if the stored row is corrupt
   */
  public Optional<ClusterState> load() {
    byte[] row = engine.get(Keyspace.META, KEY);
    if (row == null) {
      return Optional.empty();
    }
    if (row.length < 5 || row[0] != FORMAT) {
      throw new MalformedClusterStateException(
          "stored cluster state has unknown format or is truncated (" + row.length + " bytes)");
    }
    int stored = 0;
    for (int i = 0; i < 4; i++) {
      stored = (stored << 8) | (row[row.length - 4 + i] & 0xff);
    }
    if (stored != crc(row, row.length - 4)) {
      throw new MalformedClusterStateException("stored cluster state fails its checksum");
    }
    return Optional.of(ClusterStateCodec.decode(Arrays.copyOfRange(row, 1, row.length - 4)));
  }

  private static int crc(byte[] b, int length) {
    CRC32C c = new CRC32C();
    c.update(b, 0, length);
    return (int) c.getValue();
  }
}

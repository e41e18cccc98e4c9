package io.dynamo.server.storage;

/**
 * The sizes RocksDB is opened with (docs/storage.md). Memory for data is about {@code
 * blockCacheBytes} plus up to two write buffers of {@code writeBufferBytes} for the data column
 * family, plus the small fixed buffers of the other column families.
 *
 * @param blockCacheBytes the LRU block cache shared by every column family: uncompressed data
 *     blocks, and the index and filter blocks ({@code storage.block-cache-size})
 * @param writeBufferBytes one memtable of the data column family ({@code storage.write-buffer-size})
 * @param backgroundJobs flushes and compactions that may run at once
 */
public record RocksDbTuning(long blockCacheBytes, long writeBufferBytes, int backgroundJobs) {
  public static final long MIB = 1L << 20;
  public static final long DEFAULT_BLOCK_CACHE_BYTES = 128 * MIB;
  public static final long DEFAULT_WRITE_BUFFER_BYTES = 64 * MIB;
  public static final long MIN_BLOCK_CACHE_BYTES = MIB;
  public static final long MIN_WRITE_BUFFER_BYTES = MIB;
  public static final long MAX_WRITE_BUFFER_BYTES = 1L << 30;

  public RocksDbTuning {
    if (blockCacheBytes < MIN_BLOCK_CACHE_BYTES) {
      throw new IllegalArgumentException("block cache must be at least 1MiB: " + blockCacheBytes);
    }
    if (writeBufferBytes < MIN_WRITE_BUFFER_BYTES || writeBufferBytes > MAX_WRITE_BUFFER_BYTES) {
      throw new IllegalArgumentException(
          "write buffer must be between 1MiB and 1GiB: " + writeBufferBytes);
    }
    if (backgroundJobs < 1 || backgroundJobs > 64) {
      throw new IllegalArgumentException("background jobs must be 1 to 64: " + backgroundJobs);
    }
  }

  /**
   * Live write-ahead log past which RocksDB flushes the column families holding its oldest file:
   * twice what the data column family's two memtables can hold, so that bound alone forces no
   * flush of data, only of the small column families that pin old files.
   */
  public long maxTotalWalBytes() {
    return 4 * writeBufferBytes;
  }

  /** The given sizes, with background jobs from the number of cores. */
  public static RocksDbTuning of(long blockCacheBytes, long writeBufferBytes) {
    return new RocksDbTuning(blockCacheBytes, writeBufferBytes, defaultBackgroundJobs());
  }

  public static RocksDbTuning defaults() {
    return of(DEFAULT_BLOCK_CACHE_BYTES, DEFAULT_WRITE_BUFFER_BYTES);
  }

  /** Two (one flush beside one compaction), up to four on machines with eight cores or more. */
  static int defaultBackgroundJobs() {
    return Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
  }
}

package io.dynamo.server.metrics;

import io.dynamo.core.storage.Keyspace;
import io.dynamo.server.storage.RocksDbStorageEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.rocksdb.TickerType;

/**
 * RocksDB's own figures: statistics tickers as counters (cache hits and misses, write stalls,
 * compaction and flush bytes) and integer properties as gauges (pending compaction, memtables,
 * cache use). Read on demand at each scrape, under the engine's lock, from the native library: a
 * few microseconds each, and never after the database is closed (then they read -1).
 */
final class RocksDbMeters {
  private RocksDbMeters() {}

  static void bind(MeterRegistry registry, RocksDbStorageEngine db) {
    ticker(registry, db, "dynamo.rocksdb.block.cache.hits", TickerType.BLOCK_CACHE_HIT, 1,
        "block cache lookups that found the block");
    ticker(registry, db, "dynamo.rocksdb.block.cache.misses", TickerType.BLOCK_CACHE_MISS, 1,
        "block cache lookups that read the block from disk");
    ticker(registry, db, "dynamo.rocksdb.stall.seconds", TickerType.STALL_MICROS, 1e-6,
        "time writes were stalled or slowed down waiting for flushes or compactions");
    ticker(registry, db, "dynamo.rocksdb.compaction.read.bytes", TickerType.COMPACT_READ_BYTES, 1,
        "bytes read by compactions");
    ticker(registry, db, "dynamo.rocksdb.compaction.write.bytes", TickerType.COMPACT_WRITE_BYTES,
        1, "bytes written by compactions");
    ticker(registry, db, "dynamo.rocksdb.flush.write.bytes", TickerType.FLUSH_WRITE_BYTES, 1,
        "bytes written by memtable flushes");
    property(registry, db, "dynamo.rocksdb.pending.compaction.bytes", null,
        "rocksdb.estimate-pending-compaction-bytes",
        "bytes compaction estimates it must rewrite to bring every level under its target size");
    property(registry, db, "dynamo.rocksdb.running.compactions", Keyspace.DATA,
        "rocksdb.num-running-compactions", "compactions running now");
    property(registry, db, "dynamo.rocksdb.running.flushes", Keyspace.DATA,
        "rocksdb.num-running-flushes", "memtable flushes running now");
    // The cache is shared by every column family: any one family's property is the whole cache.
    property(registry, db, "dynamo.rocksdb.block.cache.usage.bytes", Keyspace.DATA,
        "rocksdb.block-cache-usage", "bytes the shared block cache holds");
    property(registry, db, "dynamo.rocksdb.memtable.bytes", null,
        "rocksdb.cur-size-all-mem-tables", "bytes of every memtable, active and being flushed");
    property(registry, db, "dynamo.rocksdb.live.sst.bytes", null, "rocksdb.live-sst-files-size",
        "bytes of the SST files the current version uses");
    property(registry, db, "dynamo.rocksdb.estimated.keys", Keyspace.DATA,
        "rocksdb.estimate-num-keys", "RocksDB's estimate of the data keys stored");
  }

  private static void ticker(
      MeterRegistry registry, RocksDbStorageEngine db, String name, TickerType ticker,
      double scale, String description) {
    FunctionCounter.builder(name, db, d -> Math.max(0, d.ticker(ticker)) * scale)
        .description(description)
        .register(registry);
  }

  private static void property(
      MeterRegistry registry, RocksDbStorageEngine db, String name, Keyspace space,
      String property, String description) {
    Gauge.builder(name, db, d -> d.longProperty(space, property))
        .description(description)
        .strongReference(true)
        .register(registry);
  }
}

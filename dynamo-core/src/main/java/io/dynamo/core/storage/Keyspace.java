package io.dynamo.core.storage;

/** The separate key spaces a storage engine keeps (RocksDB column families). */
public enum Keyspace {
  /** Sibling sets, keyed by partition, bucket and key. */
  DATA,
  /** Versions held for an unreachable home replica (hinted handoff). */
  HINTS,
  /** The node's own metadata. */
  META
}

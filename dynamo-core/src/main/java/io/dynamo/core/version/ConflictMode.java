package io.dynamo.core.version;

/** How a bucket treats concurrent writes. */
public enum ConflictMode {
  /** Keep every concurrent version as a sibling for the application to reconcile. */
  SIBLINGS,
  /** Keep only the version with the latest timestamp; concurrent writes are silently dropped. */
  LAST_WRITE_WINS
}

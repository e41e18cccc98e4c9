package io.dynamo.client;

/** What a {@link Session} promises about the versions its gets return (Terry et al., 1994). */
public enum SessionGuarantee {
  /** A get returns the session's own writes of the key, or versions that replaced them. */
  READ_YOUR_WRITES,
  /** A get never returns a version older than one an earlier get of the session returned. */
  MONOTONIC_READS
}

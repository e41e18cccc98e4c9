package io.dynamo.core.antientropy;

/** What anti-entropy did for one partition on this node since it started. Protocol thread only. */
public final class PartitionRepairStats {
  /** Monotonic millis when the last exchange that reached every other owner started; -1: none. */
  long lastFullExchangeStart = -1;
  long exchanges;
  long keysCompared;
  long keysRepaired;
  long bytesSent;
  long tombstonesPurged;

  public long lastFullExchangeStart() {
    return lastFullExchangeStart;
  }

  public long exchanges() {
    return exchanges;
  }

  public long keysCompared() {
    return keysCompared;
  }

  public long keysRepaired() {
    return keysRepaired;
  }

  public long bytesSent() {
    return bytesSent;
  }

  public long tombstonesPurged() {
    return tombstonesPurged;
  }
}

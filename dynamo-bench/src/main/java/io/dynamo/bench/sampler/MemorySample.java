package io.dynamo.bench.sampler;

/**
 * One process's memory at one moment; a negative size means it could not be read (the JVM did not
 * answer in time, or is not reachable over JMX).
 */
record MemorySample(
    String name, long pid, ProcState state, long heapUsed, long heapAfterGc, long heapCommitted,
    long heapMax, long directUsed, long directBuffers, long rss) {

  static final long UNKNOWN = -1;

  /** The figures JMX gives; all unknown when it gave none. */
  record Jvm(
      long heapUsed, long heapAfterGc, long heapCommitted, long heapMax, long directUsed,
      long directBuffers) {
    static final Jvm NONE = new Jvm(UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN);
  }

  static MemorySample of(String name, long pid, ProcState state, Jvm jvm, long rss) {
    return new MemorySample(name, pid, state, jvm.heapUsed(), jvm.heapAfterGc(), jvm.heapCommitted(),
        jvm.heapMax(), jvm.directUsed(), jvm.directBuffers(), rss);
  }

  String line(long epochMillis) {
    return epochMillis + " " + name + " " + pid + " " + state.label() + " " + size(heapUsed) + " "
        + size(heapAfterGc) + " " + size(heapCommitted) + " " + size(heapMax) + " "
        + size(directUsed) + " " + size(directBuffers) + " " + size(rss);
  }

  private static String size(long v) {
    return v < 0 ? "-" : Long.toString(v);
  }
}

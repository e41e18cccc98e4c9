package io.dynamo.bench.jmh;

import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.ring.Ring;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Routing a request: the key's partition (an MD5 of bucket and key) and its preference list of N=3
 * nodes, on a ring of Q=256 partitions over 3 or 16 members. Keys cycle through a fixed set of
 * YCSB-style keys so the hash sees varied input.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PartitioningBenchmark {
  static final int PARTITIONS = 256;
  static final int N = 3;
  static final String BUCKET = "usertable";
  private static final int KEYS = 1024; // a power of two, for the mask

  @Param({"3", "16"})
  public int members;

  public Ring ring;
  public byte[][] keys;
  private int next;

  @Setup
  public void setup() {
    List<Member> list = new ArrayList<>(members);
    for (int i = 1; i <= members; i++) {
      list.add(new Member(NodeId.of("n" + i), 1, ""));
    }
    ring = Ring.create(list, PARTITIONS, N);
    keys = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) {
      // YCSB's key shape: "user" and a hashed, unordered number.
      keys[i] = ("user" + Long.toUnsignedString(i * 0x9E3779B97F4A7C15L)).getBytes(StandardCharsets.UTF_8);
    }
  }

  private byte[] nextKey() {
    return keys[next++ & (KEYS - 1)];
  }

  @Benchmark
  public int partitionOf() {
    return ring.partitionOf(BUCKET, nextKey());
  }

  @Benchmark
  public List<NodeId> preferenceList() {
    return ring.preferenceList(BUCKET, nextKey(), N);
  }
}

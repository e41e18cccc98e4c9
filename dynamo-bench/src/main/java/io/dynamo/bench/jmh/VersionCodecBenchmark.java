package io.dynamo.bench.jmh;

import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.VersionCodec;
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
 * {@link VersionCodec}: the stored form of a key's sibling set (every replica read and write
 * encodes or decodes one) and the client context (a 3-entry vector clock), which every get returns
 * and every put carries.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class VersionCodecBenchmark {
  /** One key's stored versions: 1 sibling (the settled case) or several concurrent ones. */
  @State(Scope.Benchmark)
  public static class Stored {
    @Param({"1", "3"})
    public int siblings;

    @Param({"1024"})
    public int valueSize;

    public SiblingSet set;
    public byte[] encoded;

    @Setup
    public void setup() {
      set = Versions.siblings(siblings, valueSize);
      encoded = VersionCodec.encodeSiblings(set);
    }
  }

  /** The context a client carries: a clock with three entries. */
  @State(Scope.Benchmark)
  public static class ClientContext {
    public VectorClock clock;
    public byte[] encoded;

    @Setup
    public void setup() {
      clock = Versions.history();
      encoded = VersionCodec.encodeClock(clock);
    }
  }

  @Benchmark
  public byte[] encodeSiblings(Stored s) {
    return VersionCodec.encodeSiblings(s.set);
  }

  @Benchmark
  public SiblingSet decodeSiblings(Stored s) {
    return VersionCodec.decodeSiblings(s.encoded);
  }

  @Benchmark
  public byte[] encodeClock(ClientContext c) {
    return VersionCodec.encodeClock(c.clock);
  }

  @Benchmark
  public VectorClock decodeClock(ClientContext c) {
    return VersionCodec.decodeClock(c.encoded);
  }
}

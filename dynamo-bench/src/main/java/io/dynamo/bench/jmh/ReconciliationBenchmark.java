package io.dynamo.bench.jmh;

import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.Versioned;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link SiblingSet} reconciliation, which runs on every replica write ({@code apply}) and on every
 * read that compares replicas ({@code merge}): a write that read the stored version and replaces
 * it, a blind write concurrent with the stored siblings, and the merge of replica answers that are
 * equal (the usual read), ordered (a stale replica) or concurrent.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReconciliationBenchmark {
  static final int VALUE_SIZE = 1024;

  /** One settled version, as most keys are stored. */
  public SiblingSet stored;
  /** A write whose context covers {@link #stored}: it replaces it. */
  public Versioned replacing;
  /** Two concurrent siblings. */
  public SiblingSet storedSiblings;
  /** A third write concurrent with both of {@link #storedSiblings}. */
  public Versioned concurrent;
  /** A replica's copy of {@link #stored}, equal to it but a distinct object. */
  public SiblingSet storedCopy;
  /** The set after {@link #replacing}: newer than {@link #stored}. */
  public SiblingSet newer;
  /** One sibling each, concurrent with each other. */
  public SiblingSet left;

  public SiblingSet right;

  @Setup
  public void setup() {
    stored = Versions.siblings(1, VALUE_SIZE);
    storedCopy = new SiblingSet(stored.versions());
    replacing = Versions.successorOf(stored, Versions.NODES[1], VALUE_SIZE);
    newer = SiblingSet.of(replacing);
    storedSiblings = Versions.siblings(2, VALUE_SIZE);
    concurrent = Versions.concurrentWrite(2, VALUE_SIZE);
    left = SiblingSet.of(Versions.concurrentWrite(0, VALUE_SIZE));
    right = SiblingSet.of(Versions.concurrentWrite(1, VALUE_SIZE));
  }

  @Benchmark
  public SiblingSet applyReplacing() {
    return stored.apply(replacing, ConflictMode.SIBLINGS);
  }

  @Benchmark
  public SiblingSet applyConcurrent() {
    return storedSiblings.apply(concurrent, ConflictMode.SIBLINGS);
  }

  @Benchmark
  public SiblingSet applyLastWriteWins() {
    return storedSiblings.apply(concurrent, ConflictMode.LAST_WRITE_WINS);
  }

  @Benchmark
  public SiblingSet mergeEqual() {
    return stored.merge(storedCopy, ConflictMode.SIBLINGS);
  }

  @Benchmark
  public SiblingSet mergeStaleReplica() {
    return stored.merge(newer, ConflictMode.SIBLINGS);
  }

  @Benchmark
  public SiblingSet mergeConcurrent() {
    return left.merge(right, ConflictMode.SIBLINGS);
  }
}

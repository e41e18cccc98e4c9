package io.dynamo.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One cluster, as the shared scenarios see it: nodes by id, requests through a chosen node, a
 * node's own copy of a key, faults, and waiting for a condition. Plain types only (strings and
 * bytes), so that the simulator, the in-process {@code MiniCluster} and the multi-process {@code
 * ProcessCluster} can each implement it without this module depending on any of them.
 *
 * <p>Requests are synchronous: the simulator runs its event queue until the answer arrives (or
 * its client gives up), real clusters block on the client. Errors come back as an {@link Outcome}
 * with a {@link Outcome.Status}, never as an exception, so a scenario can demand either.
 *
 * <p>Capabilities beyond requests are optional: {@link #capabilities} says which a driver has, and
 * a scenario that needs one it lacks is skipped: drivers call {@link ClusterSpec#assumeSupportedBy}
 * before starting a cluster, and {@link #assume} checks once one runs. Membership (join, leave, remove)
 * is declared here for the membership scenarios; no driver supports it yet.
 */
public interface ClusterDriver extends AutoCloseable {
  /** Optional things a driver can do. */
  enum Capability {
    /** {@link #kill} and {@link #restart}. */
    KILL_RESTART,
    /** {@link #pause} and {@link #resume} (SIGSTOP, a long GC pause). */
    PAUSE,
    /** {@link #partition} and {@link #heal}. */
    PARTITION,
    /** {@link #localGet}. */
    LOCAL_GET,
    /** {@link #hintsPending}. */
    HINTS,
    /** {@link #believesUp}. */
    FAILURE_VIEW,
    /** {@link #join}. */
    JOIN,
    /** {@link #leave}. */
    LEAVE,
    /** {@link #remove}. */
    REMOVE
  }

  /** A short name for failure messages: "simulator (seed 7)", "mini-cluster", "processes". */
  String name();

  Set<Capability> capabilities();

  /** Skips the calling test (a JUnit assumption) unless this driver has every one of {@code needed}. */
  default void assume(Capability... needed) {
    for (Capability c : needed) {
      org.junit.jupiter.api.Assumptions.assumeTrue(
          capabilities().contains(c), name() + " does not support " + c);
    }
  }

  /** Every node's id, running or not, in a stable order. */
  List<String> nodes();

  /** The replication factor N of {@code bucket}. */
  int replicas(String bucket);

  /** The home replicas of a key (its preference list of N nodes), in preference order. */
  List<String> homeReplicas(String bucket, byte[] key);

  /** A quorum read through {@code node}; {@code r = 0} takes the bucket's default. */
  Outcome get(String node, String bucket, byte[] key, int r);

  /**
   * A put through {@code node} replacing the versions {@code context} (opaque bytes from an earlier
   * outcome; empty for a blind write) was read from; {@code w = 0} takes the bucket's default.
   */
  Outcome put(String node, String bucket, byte[] key, byte[] context, byte[] value, int w);

  /** A delete through {@code node} of the versions {@code context} names (not empty). */
  Outcome delete(String node, String bucket, byte[] key, byte[] context, int w);

  /** {@code node}'s own copy of a key, no other replica asked; the node must be running. */
  default Outcome localGet(String node, String bucket, byte[] key) {
    throw unsupported(Capability.LOCAL_GET);
  }

  /** Stops {@code node} at once ({@code kill -9}, or its in-process equivalent); data stays. */
  default void kill(String node) {
    throw unsupported(Capability.KILL_RESTART);
  }

  /** Starts a killed node again over its data. Does not wait for the others to see it. */
  default void restart(String node) {
    throw unsupported(Capability.KILL_RESTART);
  }

  default void pause(String node) {
    throw unsupported(Capability.PAUSE);
  }

  default void resume(String node) {
    throw unsupported(Capability.PAUSE);
  }

  /** Cuts every link between {@code side} and the other nodes. */
  default void partition(Collection<String> side) {
    throw unsupported(Capability.PARTITION);
  }

  default void heal() {
    throw unsupported(Capability.PARTITION);
  }

  /** Whether {@code observer} (running) believes {@code node} is up. */
  default boolean believesUp(String observer, String node) {
    throw unsupported(Capability.FAILURE_VIEW);
  }

  /** Hints held across the running nodes (for any target). */
  default long hintsPending() {
    throw unsupported(Capability.HINTS);
  }

  default void join(String node) {
    throw unsupported(Capability.JOIN);
  }

  default void leave(String node) {
    throw unsupported(Capability.LEAVE);
  }

  default void remove(String node) {
    throw unsupported(Capability.REMOVE);
  }

  /**
   * Waits until {@code condition} holds, for at most {@code within}; returns whether it held. The
   * simulator advances simulated time, real clusters poll; nothing sleeps.
   */
  boolean await(Duration within, BooleanSupplier condition);

  /** As {@link #await}, failing the test with {@code what} if the condition did not hold. */
  default void awaitOrFail(String what, Duration within, BooleanSupplier condition) {
    if (!await(within, condition)) {
      throw new AssertionError(name() + ": " + what + " did not happen within " + within);
    }
  }

  /**
   * Waits until a read of every replica (R = N) through each node succeeds: real drivers call it
   * once started, since a cold node (JIT, RocksDB) on a loaded machine can miss the deadline of its
   * first requests, which is not what the scenarios are about.
   */
  default void awaitReady(String bucket, Duration within) {
    for (String node : nodes()) {
      byte[] key = Bytes.utf8("ready-" + node);
      awaitOrFail(node + " answering reads of all replicas", within,
          () -> get(node, bucket, key, replicas(bucket)).isOk());
    }
  }

  /** Lets the cluster run for {@code duration} (simulated time, or real time in a poll loop). */
  default void runFor(Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    await(duration.plusSeconds(1), () -> System.nanoTime() >= until);
  }

  @Override
  void close();

  private UnsupportedOperationException unsupported(Capability c) {
    return new UnsupportedOperationException(name() + " does not support " + c);
  }
}

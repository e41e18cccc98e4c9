package io.dynamo.core.sim;

import com.google.protobuf.ByteString;
import io.dynamo.proto.v1.GetResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Unsynchronised puts of one key (the same context or none, overlapping in time, through random
 * coordinators, over a lossy network) all survive as siblings: once the network is drained, a read
 * of all N replicas returns every acknowledged value. Writing back with that read's context then
 * leaves exactly one value.
 */
class ConcurrentPutsBecomeSiblingsTest {
  private static final ByteString KEY = ByteString.copyFromUtf8("contended");
  private static final ByteString SEED_VALUE = ByteString.copyFromUtf8("seed");
  private static final ByteString MERGED_VALUE = ByteString.copyFromUtf8("merged");

  @TestFactory
  Stream<DynamicTest> concurrentPutsComeBackAsSiblings() {
    return SimulationSeeds.forEach(getClass(), 2000, seed -> run(seed, new SimulatedTrace(false)));
  }

  static SimulatedCluster run(long seed, SimulatedTrace trace) {
    Random random = new Random(seed);
    SimulationConfig config = SimulationConfig.random(random, 0.05);
    SimulatedCluster cluster = new SimulatedCluster(config, random, trace);
    SimulatedNetwork network = cluster.network();
    NetworkOptions lossy = network.options();
    network.setOptions(lossy.withDropProbability(0));
    String bucket = SimulationScenarios.BUCKET;
    int n = config.n();

    // Optionally a first version, fully replicated, whose context some writers then use.
    ByteString seedContext = ByteString.EMPTY;
    boolean seeded = random.nextBoolean();
    if (seeded) {
      SimulatedClient setup = cluster.newClient("setup");
      setup.put(cluster.randomNode(), bucket, KEY, ByteString.EMPTY, SEED_VALUE, n, null);
      cluster.runUntilIdle();
      SimulatedHistory.Op put = last(cluster);
      SimulationAssertions.check(put.succeeded(), cluster, "setup put failed: " + put);
      seedContext = put.response().getPutResponse().getContext();
    }

    // Concurrent writers, each with the seed's context or none, all starting within a few ms.
    network.setOptions(lossy);
    int writers = 2 + random.nextInt(6);
    List<SimulatedHistory.Op> puts = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      SimulatedClient client = cluster.newClient("w" + i);
      ByteString context = seeded && random.nextBoolean() ? seedContext : ByteString.EMPTY;
      ByteString value = ByteString.copyFromUtf8("w" + i);
      int w = random.nextBoolean() ? config.w() : 0;
      cluster.queue().schedule(
          random.nextInt(10),
          "start " + client.name(),
          () -> {
            client.put(cluster.randomNode(), bucket, KEY, context, value, w, null);
            puts.add(last(cluster));
          });
    }
    cluster.runUntilIdle();

    // Read every replica over a now loss-free network.
    network.setOptions(lossy.withDropProbability(0));
    SimulatedClient reader = cluster.newClient("reader");
    reader.get(cluster.randomNode(), bucket, KEY, n, null);
    cluster.runUntilIdle();
    SimulatedHistory.Op read = last(cluster);
    SimulationAssertions.check(read.succeeded(), cluster, "read of all replicas failed: " + read);
    GetResponse siblings = read.response().getGetResponse();
    Set<ByteString> returned = new HashSet<>(siblings.getValuesList());
    List<String> problems = new ArrayList<>();
    Set<ByteString> attempted = new HashSet<>();
    boolean ackedWithSeedContext = false;
    for (SimulatedHistory.Op put : puts) {
      ByteString value = put.request().getPutRequest().getValue();
      attempted.add(value);
      if (put.succeeded()) {
        if (!returned.contains(value)) {
          problems.add("acknowledged concurrent put was dropped: " + put);
        }
        ackedWithSeedContext |= !put.writeContext().isEmpty();
      }
    }
    for (ByteString value : returned) {
      if (!attempted.contains(value) && !(seeded && value.equals(SEED_VALUE))) {
        problems.add("read returned a value nobody wrote: " + value.toStringUtf8());
      }
    }
    if (seeded && ackedWithSeedContext && returned.contains(SEED_VALUE)) {
      problems.add("the seed value survived an acknowledged put that had read it");
    }
    if (seeded && puts.stream().allMatch(p -> p.writeContext().isEmpty())
        && !returned.contains(SEED_VALUE)) {
      problems.add("blind puts made the seed value disappear");
    }

    // Resolve: write back with the read's context, then read again.
    SimulatedClient resolver = cluster.newClient("resolver");
    resolver.put(
        cluster.randomNode(), bucket, KEY, siblings.getContext(), MERGED_VALUE,
        random.nextBoolean() ? config.w() : 0, null);
    cluster.runUntilIdle();
    SimulatedHistory.Op merge = last(cluster);
    if (!merge.succeeded()) {
      problems.add("resolving put failed over a loss-free network: " + merge);
    }
    resolver.get(cluster.randomNode(), bucket, KEY, random.nextBoolean() ? config.r() : 0, null);
    cluster.runUntilIdle();
    SimulatedHistory.Op after = last(cluster);
    if (!after.succeeded()
        || !after.response().getGetResponse().getValuesList().equals(List.of(MERGED_VALUE))) {
      problems.add("after resolving, a read should return exactly the merged value: " + after);
    }

    problems.addAll(cluster.quiescenceProblems());
    problems.addAll(AcknowledgedWritesChecker.check(cluster.history()));
    SimulationAssertions.assertNoProblems(cluster, problems);
    return cluster;
  }

  private static SimulatedHistory.Op last(SimulatedCluster cluster) {
    List<SimulatedHistory.Op> ops = cluster.history().ops();
    return ops.get(ops.size() - 1);
  }
}

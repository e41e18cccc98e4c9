package io.dynamo.faults;

import io.dynamo.client.GetResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Every home replica holds the latest data: for each key in the history and each of its home
 * replicas among {@code nodes}, that node's own copy ({@code localGet}, no other replica asked)
 * must be exactly the key's last acknowledged value. This is what hinted handoff (and later
 * anti-entropy) must bring about once a replica that missed writes is back.
 */
public final class HomeReplicaChecker {
  private final ProcessCluster cluster;

  public HomeReplicaChecker(ProcessCluster cluster) {
    this.cluster = cluster;
  }

  /** One line per (key, replica) whose copy is missing or not the latest; empty when all hold it. */
  public List<String> violations(AcknowledgedWrites history, Collection<String> nodes) {
    List<CompletableFuture<String>> checks = new ArrayList<>();
    for (Map.Entry<String, String> e : history.values().entrySet()) {
      String key = e.getKey();
      String expected = e.getValue();
      for (String node : cluster.homeReplicas(history.bucket(), key)) {
        if (!nodes.contains(node)) {
          continue;
        }
        checks.add(
            cluster
                .client()
                .localGetAsync(cluster.index(node), history.bucket(), key.getBytes(StandardCharsets.UTF_8))
                .handle((result, error) -> judge(node, key, expected, result, error)));
      }
    }
    List<String> out = new ArrayList<>();
    for (CompletableFuture<String> c : checks) {
      String v = c.join();
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  private static String judge(String node, String key, String expected, GetResult result, Throwable error) {
    if (error != null) {
      return node + " unreadable: " + key + ": " + error;
    }
    List<String> values = DurabilityChecker.strings(result);
    if (values.equals(List.of(expected))) {
      return null;
    }
    return node + " " + (values.isEmpty() ? "misses " : "is stale on ") + key + ": holds " + values
        + ", latest acknowledged " + expected;
  }
}

package io.dynamo.faults;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Every acknowledged write is present: a quorum read of each key in the history (R = N by default,
 * so every replica's copy counts) must return the key's last acknowledged value among its values.
 * A key whose read fails three times is reported as unreadable, which is a violation too: the
 * checker runs once the cluster is healed.
 */
public final class DurabilityChecker {
  private static final int ATTEMPTS = 3;

  private final DynamoClient client;
  private final RequestOptions options;

  public DurabilityChecker(DynamoClient client, int r) {
    this.client = client;
    this.options = RequestOptions.r(r);
  }

  /** One line per acknowledged write that is not present; empty when all are. */
  public List<String> violations(AcknowledgedWrites history) {
    List<String> out = Collections.synchronizedList(new ArrayList<>());
    Semaphore permits = new Semaphore(32);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Map.Entry<String, String> e : history.values().entrySet()) {
      permits.acquireUninterruptibly();
      all.add(
          check(history.bucket(), e.getKey(), e.getValue(), ATTEMPTS)
              .thenAccept(v -> v.ifPresent(out::add))
              .whenComplete((v, t) -> permits.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    Collections.sort(out);
    return List.copyOf(out);
  }

  private CompletableFuture<java.util.Optional<String>> check(
      String bucket, String key, String expected, int attemptsLeft) {
    return client
        .getAsync(bucket, key.getBytes(StandardCharsets.UTF_8), options)
        .handle(
            (result, error) -> {
              if (error != null) {
                return attemptsLeft > 1
                    ? check(bucket, key, expected, attemptsLeft - 1)
                    : CompletableFuture.completedFuture(
                        java.util.Optional.of("unreadable: " + key + ": " + error));
              }
              return CompletableFuture.completedFuture(judge(key, expected, result));
            })
        .thenCompose(f -> f);
  }

  private static java.util.Optional<String> judge(String key, String expected, GetResult result) {
    List<String> values = strings(result);
    if (values.contains(expected)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of("lost: " + key + ": acknowledged " + expected + ", read " + values);
  }

  static List<String> strings(GetResult result) {
    return result.values().stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList();
  }
}

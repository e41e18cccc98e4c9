package io.dynamo.faults;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.RequestOptions;
import io.dynamo.testkit.AcknowledgedWrites;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Writes keys with W=2 through one client, a bounded number in flight, and records every
 * acknowledged put in an {@link AcknowledgedWrites} history. Each put carries the context of the
 * key's last acknowledged put, so the new value replaces the old instead of standing beside it.
 */
public final class Writer {
  private final DynamoClient client;
  private final AcknowledgedWrites history;
  private final RequestOptions options;
  private final int inFlight;

  public Writer(DynamoClient client, AcknowledgedWrites history, int w, int inFlight) {
    this.client = client;
    this.history = history;
    this.options = RequestOptions.w(w);
    this.inFlight = inFlight;
  }

  /**
   * Writes {@code value(key)} to each key and waits for every answer; returns the keys whose put
   * failed (error or timeout).
   */
  public List<String> write(Collection<String> keys, String tag) {
    Semaphore permits = new Semaphore(inFlight);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
    for (String key : keys) {
      permits.acquireUninterruptibly();
      String value = key + "@" + tag;
      Context context = Context.fromBytes(history.context(key));
      all.add(
          client
              .putAsync(history.bucket(), utf8(key), context, utf8(value), options)
              .handle(
                  (ctx, error) -> {
                    permits.release();
                    if (error == null) {
                      history.acknowledged(key, value, ctx.toBytes());
                    } else {
                      history.failed(key);
                      failed.add(key + ": " + error);
                    }
                    return null;
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    return List.copyOf(failed);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package io.dynamo.bench;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.RequestOptions;
import io.dynamo.client.Route;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The writer and the checker of scripts/membership-run.sh (issue 8).
 *
 * <pre>
 * write  --nodes A,B,C --acked FILE --stop-file F [--bucket mr] [--rate 100] [--value-size 100]
 *        writes new keys mr00000000, mr00000001, ... at a fixed rate until F exists; appends the
 *        index of every acknowledged write to FILE (a line each, flushed).
 * verify --members n1=ADDR,n4=ADDR,... [--acked FILE] [--bucket mr] [--value-size 100]
 *        [--bench-keys N --bench-bucket bench --bench-value-size B --bench-seed S]
 *        for every acknowledged key (and the load generator's N preloaded keys): a quorum get must
 *        find its value, and so must a get of the own copy of each owner in its preference list
 *        (route, asked of the first member). Exit 1 on any miss.
 * </pre>
 */
public final class MembershipCheck {
  private MembershipCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: MembershipCheck write|verify [options] (see the class comment)");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        System.err.println("bad option " + args[i]);
        System.exit(2);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    int status = switch (args[0]) {
      case "write" -> write(o);
      case "verify" -> verify(o);
      default -> {
        System.err.println("unknown command " + args[0]);
        yield 2;
      }
    };
    System.exit(status);
  }

  static byte[] key(String prefix, long i) {
    return String.format("%s%08d", prefix, i).getBytes(StandardCharsets.US_ASCII);
  }

  /** The value of write {@code i}: its index, then filler up to {@code size} bytes. */
  static byte[] value(long i, int size) {
    byte[] head = ("v" + i + ":").getBytes(StandardCharsets.US_ASCII);
    byte[] v = new byte[Math.max(size, head.length)];
    Arrays.fill(v, (byte) 'x');
    System.arraycopy(head, 0, v, 0, head.length);
    return v;
  }

  private static int write(Map<String, String> o) throws Exception {
    String bucket = o.getOrDefault("bucket", "mr");
    double rate = Double.parseDouble(o.getOrDefault("rate", "100"));
    int size = Integer.parseInt(o.getOrDefault("value-size", "100"));
    Path acked = Path.of(o.get("acked"));
    Path stop = Path.of(o.get("stop-file"));
    DynamoClient.Builder b = DynamoClient.builder().timeout(Duration.ofSeconds(5));
    for (String n : o.get("nodes").split(",")) {
      b.node(n.trim());
    }
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
    Semaphore inFlight = new Semaphore(64);
    long sent = 0;
    try (DynamoClient client = b.build();
        BufferedWriter out = Files.newBufferedWriter(acked, StandardCharsets.US_ASCII)) {
      long start = System.nanoTime();
      long period = (long) (1e9 / rate);
      while (!Files.exists(stop)) {
        long due = start + sent * period;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        inFlight.acquire();
        long i = sent++;
        client
            .putAsync(bucket, key(bucket, i), Context.NONE, value(i, size), RequestOptions.DEFAULT)
            .whenComplete(
                (c, e) -> {
                  if (e == null) {
                    ok.incrementAndGet();
                    synchronized (out) {
                      try {
                        out.write(i + "\n");
                        out.flush();
                      } catch (IOException io) {
                        throw new java.io.UncheckedIOException(io);
                      }
                    }
                  } else {
                    failed.incrementAndGet();
                    if (firstErrors.size() < 5) {
                      firstErrors.add(i + ": " + LatencyRecorder.errorType(e) + " " + e.getMessage());
                    }
                  }
                  inFlight.release();
                });
      }
      if (!inFlight.tryAcquire(64, 15, TimeUnit.SECONDS)) {
        System.err.println("writer: some writes still outstanding after 15 s");
      }
    }
    System.out.printf("writer: %d writes sent, %d acknowledged, %d failed (not acknowledged: not checked)%n",
        sent, ok.get(), failed.get());
    firstErrors.forEach(e -> System.out.println("  failed " + e));
    return 0;
  }

  private record Target(String bucket, byte[] key, byte[] value) {}

  private static int verify(Map<String, String> o) throws Exception {
    List<String> ids = new ArrayList<>();
    DynamoClient.Builder b = DynamoClient.builder().timeout(Duration.ofSeconds(10));
    for (String m : o.get("members").split(",")) {
      String[] kv = m.split("=", 2);
      ids.add(kv[0].trim());
      b.node(kv[1].trim());
    }
    List<Target> targets = new ArrayList<>();
    if (o.containsKey("acked")) {
      String bucket = o.getOrDefault("bucket", "mr");
      int size = Integer.parseInt(o.getOrDefault("value-size", "100"));
      for (String line : Files.readAllLines(Path.of(o.get("acked")))) {
        if (!line.isBlank()) {
          long i = Long.parseLong(line.trim());
          targets.add(new Target(bucket, key(bucket, i), value(i, size)));
        }
      }
    }
    int acked = targets.size();
    int benchKeys = Integer.parseInt(o.getOrDefault("bench-keys", "0"));
    if (benchKeys > 0) {
      byte[] v = new byte[Integer.parseInt(o.getOrDefault("bench-value-size", "1024"))];
      new SplittableRandom(Long.parseLong(o.getOrDefault("bench-seed", "1"))).nextBytes(v);
      String bucket = o.getOrDefault("bench-bucket", "bench");
      for (int k = 0; k < benchKeys; k++) {
        targets.add(new Target(bucket, Workload.key(k), v));
      }
    }
    AtomicLong quorumMissing = new AtomicLong();
    AtomicLong copiesMissing = new AtomicLong();
    AtomicLong copiesChecked = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    Map<String, AtomicLong> missingByNode = new java.util.concurrent.ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();
    Semaphore inFlight = new Semaphore(32);
    long start = System.nanoTime();
    try (DynamoClient client = b.build()) {
      for (Target t : targets) {
        inFlight.acquire();
        String name = t.bucket() + "/" + new String(t.key(), StandardCharsets.US_ASCII);
        CompletableFuture<Void> quorum =
            client.getAsync(t.bucket(), t.key(), RequestOptions.DEFAULT).thenAccept(r -> {
              if (!holds(r, t.value())) {
                quorumMissing.incrementAndGet();
                note(examples, name + ": quorum get found " + describe(r));
              }
            });
        CompletableFuture<Void> copies =
            client.routeAsync(0, t.bucket(), t.key()).thenCompose(route -> {
              List<CompletableFuture<Void>> each = new ArrayList<>();
              for (Route.Node owner : route.preferenceList()) {
                int index = ids.indexOf(owner.nodeId());
                if (index < 0) {
                  each.add(CompletableFuture.failedFuture(new IllegalStateException(
                      "owner " + owner.nodeId() + " of " + name + " is not among --members")));
                  continue;
                }
                each.add(client.localGetAsync(index, t.bucket(), t.key()).thenAccept(r -> {
                  copiesChecked.incrementAndGet();
                  if (!holds(r, t.value())) {
                    copiesMissing.incrementAndGet();
                    missingByNode.computeIfAbsent(owner.nodeId(), x -> new AtomicLong()).incrementAndGet();
                    note(examples, name + ": owner " + owner.nodeId() + " (partition "
                        + route.partition() + ") holds " + describe(r));
                  }
                }));
              }
              return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
            });
        CompletableFuture.allOf(quorum, copies).whenComplete((x, e) -> {
          if (e != null) {
            errors.incrementAndGet();
            note(examples, name + ": " + LatencyRecorder.errorType(e) + " " + e.getMessage());
          }
          inFlight.release();
        });
      }
      inFlight.acquire(32);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("verify: %d keys (%d acknowledged new writes, %d preloaded), %d owner copies read"
            + " in %.1f s: %d missing at quorum, %d owner copies missing or stale %s, %d requests failed%n",
        targets.size(), acked, benchKeys, copiesChecked.get(), seconds, quorumMissing.get(),
        copiesMissing.get(), missingByNode, errors.get());
    examples.forEach(e -> System.out.println("  " + e));
    boolean ok = quorumMissing.get() == 0 && copiesMissing.get() == 0 && errors.get() == 0;
    System.out.println(ok ? "verify: OK" : "verify: FAILED");
    return ok ? 0 : 1;
  }

  private static boolean holds(GetResult r, byte[] value) {
    for (byte[] v : r.values()) {
      if (Arrays.equals(v, value)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(GetResult r) {
    if (!r.found()) {
      return r.deleted() ? "a tombstone" : "nothing";
    }
    List<String> heads = new ArrayList<>();
    for (byte[] v : r.values()) {
      heads.add(new String(v, 0, Math.min(16, v.length), StandardCharsets.ISO_8859_1));
    }
    return r.values().size() + " other value(s) " + heads;
  }

  private static void note(ConcurrentLinkedQueue<String> examples, String s) {
    if (examples.size() < 20) {
      examples.add(s);
    }
  }
}

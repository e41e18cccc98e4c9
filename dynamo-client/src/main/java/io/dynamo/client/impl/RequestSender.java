package io.dynamo.client.impl;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.OverloadedException;
import io.dynamo.client.RequestTimeoutException;
import io.dynamo.client.impl.ClientMetrics.Op;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.StatusCode;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Takes a request to a node that answers it: chooses the nodes it may go to (by the cluster map,
 * or the configured nodes in turn), sends it, retries on the next node when one cannot be reached
 * or does not answer within the attempt timeout (penalizing it), and hedges gets. Answers, errors
 * included, are final, except NOT_A_REPLICA (the nodes' rings differ while a change spreads), after
 * which the map is reloaded and the next replica tried.
 */
public final class RequestSender {
  /** How long a write refused with NOT_A_REPLICA waits before its next attempt. */
  private static final long NOT_A_REPLICA_PAUSE_MILLIS = 20;

  private final EventLoopGroup group;
  private final Endpoints endpoints;
  private final List<Endpoint> seeds;
  private final Topology topology;
  private final boolean partitionAware;
  private final Duration attemptTimeout;
  private final ClientMetrics metrics;
  /** Recent get latency, for the hedge delay; null without hedging. */
  private final LatencyWindow getLatency;
  private final HedgeBudget hedgeBudget;
  private final long minHedgeDelayNanos;
  private final AtomicInteger next = new AtomicInteger();

  /** Hedging, when on: after which percentile of recent gets, at most which fraction extra. */
  public record Hedging(double percentile, double maxExtraFraction, Duration minDelay) {}

  /**
   * @param hedging null: no hedged gets
   */
  public RequestSender(
      EventLoopGroup group, Endpoints endpoints, List<Endpoint> seeds, Topology topology,
      boolean partitionAware, Duration attemptTimeout, ClientMetrics metrics, Hedging hedging) {
    this.group = group;
    this.endpoints = endpoints;
    this.seeds = List.copyOf(seeds);
    this.topology = topology;
    this.partitionAware = partitionAware;
    this.attemptTimeout = attemptTimeout;
    this.metrics = metrics;
    if (hedging != null) {
      // Ten one-second intervals; no hedging before 200 gets were seen in them.
      this.getLatency =
          new LatencyWindow(hedging.percentile(), 1_000_000_000L, 10, 200, System::nanoTime);
      this.hedgeBudget = new HedgeBudget(hedging.maxExtraFraction(), 20);
      this.minHedgeDelayNanos = hedging.minDelay().toNanos();
    } else {
      this.getLatency = null;
      this.hedgeBudget = null;
      this.minHedgeDelayNanos = 0;
    }
  }

  /**
   * The nodes a request for {@code key} may go to, best first. Without a map (or with server
   * routing): the configured nodes in turn. With one: the key's home replicas (for a write in
   * preference order, so the first one up coordinates it as the nodes themselves would choose; for
   * a get from a rotating one, spreading reads over the replicas), those the map says are down
   * last, then the other members, which route it themselves if no replica can be reached.
   */
  private List<Endpoint> candidates(String bucket, byte[] key, boolean write, int first) {
    ClusterMap map = partitionAware ? topology.map() : null;
    if (map == null) {
      int start = Math.floorMod(next.getAndIncrement(), seeds.size());
      List<Endpoint> out = new ArrayList<>(seeds.size());
      for (int i = 0; i < seeds.size(); i++) {
        out.add(seeds.get((start + i) % seeds.size()));
      }
      return out;
    }
    List<ClusterMap.Member> home = map.homeReplicas(bucket, key);
    int start = first >= 0 ? first : ThreadLocalRandom.current().nextInt(Math.max(1, home.size()));
    List<Endpoint> out = new ArrayList<>(map.members().size());
    List<Endpoint> down = new ArrayList<>(2);
    for (int i = 0; i < home.size(); i++) {
      ClusterMap.Member m = home.get((start + i) % home.size());
      (m.up() ? out : down).add(endpoints.of(m.clientAddress()));
    }
    out.addAll(down);
    for (ClusterMap.Member m : map.members()) {
      if (!home.contains(m)) {
        out.add(endpoints.of(m.clientAddress()));
      }
    }
    return out;
  }

  /**
   * Sends a put or delete carrying a write id to the key's first home replica believed up (or the
   * configured nodes), trying the candidates in turn until one answers or {@code t} passes.
   */
  public CompletableFuture<Envelope> write(
      Envelope.Builder request, Duration t, Envelope.BodyCase expected, String bucket, byte[] key,
      Op op) {
    long deadlineNanos = System.nanoTime() + t.toNanos();
    Attempts attempts = new Attempts(candidates(bucket, key, true, 0));
    return attempt(request, t, deadlineNanos, attempts, () -> candidates(bucket, key, true, 0), null, op, 0)
        .thenApply(e -> Responses.expect(e, expected));
  }

  /**
   * Sends a get to a replica of the key, from the {@code first}-th (-1: a random one), hedged when
   * {@code hedge} and hedging is on, trying the candidates in turn until one answers or {@code t}
   * passes.
   */
  public CompletableFuture<Envelope> read(
      Envelope.Builder request, Duration t, String bucket, byte[] key, int first, boolean hedge) {
    long deadline = System.nanoTime() + t.toNanos();
    Attempts attempts = new Attempts(candidates(bucket, key, false, first));
    CompletableFuture<Envelope> sent =
        hedge && getLatency != null
            ? hedged(request, t, deadline, attempts, () -> candidates(bucket, key, false, first))
            : attempt(request, t, deadline, attempts, () -> candidates(bucket, key, false, first), null, Op.GET, 0);
    return sent.thenApply(e -> Responses.expect(e, Envelope.BodyCase.GET_RESPONSE));
  }

  /** A get answered after {@code nanos}: the hedge delay follows recent gets. */
  public void getAnswered(long nanos) {
    if (getLatency != null) {
      getLatency.record(nanos);
    }
  }

  /**
   * A get that is also sent to a second replica when the first has not answered within the hedge
   * delay (a percentile of recent gets), as the budget allows. The first answer that is not an
   * error wins; an error answer from one waits for the other.
   */
  private CompletableFuture<Envelope> hedged(
      Envelope.Builder request, Duration t, long deadlineNanos, Attempts attempts,
      Supplier<List<Endpoint>> recompute) {
    hedgeBudget.earn();
    long delay = getLatency.percentileNanos();
    CompletableFuture<Envelope> primary =
        attempt(request, t, deadlineNanos, attempts, recompute, null, Op.GET, 0);
    if (delay < 0) {
      return primary; // too few recent gets to know what is slow
    }
    CompletableFuture<Envelope> result = new CompletableFuture<>();
    AtomicInteger open = new AtomicInteger(1);
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    io.netty.util.concurrent.ScheduledFuture<?> timer;
    try {
      timer = group.next().schedule(() -> {
        long remaining = deadlineNanos - System.nanoTime();
        if (result.isDone() || remaining <= 0 || !attempts.hasHealthyUntried() || !hedgeBudget.trySpend()) {
          return;
        }
        Endpoint second = attempts.next();
        if (second == null) {
          return;
        }
        open.incrementAndGet();
        metrics.hedgeSent();
        sendTo(second, request, remaining).whenComplete((response, error) -> {
          Throwable cause = error == null ? null : unwrap(error);
          if (error == null) {
            second.health().clear(); // it answered
            topology.observe(response.getRingVersion());
          } else if (cause instanceof OverloadedException o && !o.wasSent()) {
            second.health().release(); // nothing was sent: its probe, if it was one, is free again
          } else {
            second.health().penalize();
          }
          if (error == null && !response.hasError()) {
            if (result.complete(response)) {
              attempts.cancel(); // the primary's retries would only add load now
              metrics.hedgeWon();
            }
          } else {
            settle(result, open, firstError, null);
          }
        });
      }, Math.max(delay, minHedgeDelayNanos), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      return primary; // the client is closing: no hedge
    }
    primary.whenComplete((response, error) -> {
      if (error == null) {
        timer.cancel(false);
        result.complete(response);
      } else {
        settle(result, open, firstError, error);
      }
    });
    return result;
  }

  /** One of a hedged get's requests failed: the get fails once both have, with the primary's error. */
  private static void settle(
      CompletableFuture<Envelope> result, AtomicInteger open,
      AtomicReference<Throwable> primaryError, Throwable error) {
    if (error != null) {
      primaryError.set(error);
    }
    if (open.decrementAndGet() == 0 && primaryError.get() != null) {
      result.completeExceptionally(primaryError.get());
    }
  }

  /**
   * Sends one attempt to {@code node}, with the wall-clock deadline after which a node refuses to
   * start it (the moment this client stops waiting for it and may try another node: a node that
   * was paused or slow then makes no late copy of a write).
   */
  private CompletableFuture<Envelope> sendTo(Endpoint node, Envelope.Builder request, long budgetNanos) {
    Envelope.Builder sent = request.clone();
    long deadlineUnixMillis = System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(budgetNanos);
    if (sent.hasPutRequest()) {
      sent.getPutRequestBuilder().setDeadlineUnixMillis(deadlineUnixMillis);
    } else if (sent.hasDeleteRequest()) {
      sent.getDeleteRequestBuilder().setDeadlineUnixMillis(deadlineUnixMillis);
    } else if (sent.hasGetRequest()) {
      // Work for an answer nobody waits for only deepens an overload.
      sent.getGetRequestBuilder().setDeadlineUnixMillis(deadlineUnixMillis);
    }
    return node.connection().request(sent, Duration.ofNanos(budgetNanos));
  }

  private CompletableFuture<Envelope> attempt(
      Envelope.Builder request,
      Duration t,
      long deadlineNanos,
      Attempts attempts,
      Supplier<List<Endpoint>> recompute,
      Throwable last,
      Op op,
      int sentBefore) {
    if (attempts.isCancelled()) {
      return CompletableFuture.failedFuture(new RequestTimeoutException("answered by a hedge"));
    }
    long remaining = deadlineNanos - System.nanoTime();
    // Checked before choosing: choosing a penalized node takes its one probe, which only an
    // attempt that is sent gives back.
    Endpoint node = remaining <= 0 ? null : attempts.next();
    if (node == null) {
      if (last instanceof RequestTimeoutException || last == null) {
        return CompletableFuture.failedFuture(
            new RequestTimeoutException(
                "no answer within " + t.toMillis() + " ms"
                    + (last == null ? "" : "; last attempt: " + last.getMessage())));
      }
      return CompletableFuture.failedFuture(last);
    }
    if (sentBefore > 0) {
      metrics.retry(op);
    }
    // The last node left gets all the time there is; the others an attempt's share, so a node
    // that holds the request without answering (paused, overloaded) costs only that.
    long budget = attempts.exhausted() ? remaining : Math.min(remaining, attemptTimeout.toNanos());
    return sendTo(node, request, budget)
        .handle(
            (response, error) -> {
              // An earlier attempt that got no answer may have applied a write: that stays the
              // outcome to report, whatever later attempts say.
              Throwable ambiguous = mayHaveApplied(last) ? last : null;
              if (error == null) {
                node.health().clear();
                topology.observe(response.getRingVersion());
                if (response.hasError() && response.getError().getCode() == StatusCode.NOT_A_REPLICA) {
                  // The nodes' rings differ while a change spreads: nothing was written. Another
                  // replica, a moment later and with a fresh map, can take it.
                  topology.refreshSoon();
                  Throwable refused = Responses.toException(response.getError());
                  return later(NOT_A_REPLICA_PAUSE_MILLIS, () -> {
                    attempts.refill(recompute.get());
                    return attempt(
                        request, t, deadlineNanos, attempts, recompute,
                        ambiguous != null ? ambiguous : refused, op, sentBefore + 1);
                  });
                }
                if (ambiguous != null && isWrite(request) && response.hasError()
                    && response.getError().getCode() == StatusCode.OVERLOADED) {
                  return CompletableFuture.<Envelope>failedFuture(
                      new RequestTimeoutException(
                          "an earlier attempt got no answer and may have applied the write; the"
                              + " last node tried refused it: " + response.getError().getMessage()));
                }
                return CompletableFuture.completedFuture(response);
              }
              Throwable cause = unwrap(error);
              if (cause instanceof OverloadedException o && !o.wasSent()) {
                // Refused by this client's own limit for that node: nothing was sent, the node
                // said nothing either way, so its penalty stands (its probe, if this was one, is
                // free again) and another node may take it.
                node.health().release();
                return attempt(request, t, deadlineNanos, attempts, recompute,
                    ambiguous != null ? ambiguous : cause, op, sentBefore);
              }
              if (!(cause instanceof ConnectionException)
                  && !(cause instanceof RequestTimeoutException)) {
                node.health().clear(); // it answered
              }
              if (cause instanceof ConnectionException || cause instanceof RequestTimeoutException) {
                // Never sent, or sent and never answered: another node may do it. Safe for a
                // write too, since it carries its write id.
                node.health().penalize();
                return attempt(
                    request, t, deadlineNanos, attempts, recompute,
                    ambiguous != null && !mayHaveApplied(cause) ? ambiguous : cause,
                    op, sentBefore + 1);
              }
              return CompletableFuture.<Envelope>failedFuture(cause);
            })
        .thenCompose(Function.identity());
  }

  /** How long a write refused with NOT_A_REPLICA waits before its next attempt. */
  
  /** Runs {@code next} after {@code millis}; fails if the client closes first. */
  private CompletableFuture<Envelope> later(long millis, Supplier<CompletableFuture<Envelope>> next) {
    CompletableFuture<Envelope> out = new CompletableFuture<>();
    try {
      io.netty.util.concurrent.ScheduledFuture<?> task = group.next().schedule(() -> {
        try {
          next.get().whenComplete((r, e) -> {
            if (e != null) {
              out.completeExceptionally(e);
            } else {
              out.complete(r);
            }
          });
        } catch (RuntimeException e) {
          out.completeExceptionally(e);
        }
      }, millis, TimeUnit.MILLISECONDS);
      // A client closing cancels its scheduled tasks: the caller must still get an answer.
      task.addListener(f -> {
        if (f.isCancelled()) {
          out.completeExceptionally(new ConnectionException("client is closed", null));
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      out.completeExceptionally(new ConnectionException("client is closed", e));
    }
    return out;
  }

  /** Whether a failed attempt may still have been applied by its node (so a later answer is not final). */
  private static boolean mayHaveApplied(Throwable t) {
    return t instanceof RequestTimeoutException
        || (t instanceof ConnectionException c && c.maybeApplied());
  }

  private static boolean isWrite(Envelope.Builder request) {
    return request.hasPutRequest() || request.hasDeleteRequest();
  }


  /** Completion and execution wrappers off, to the failure itself. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

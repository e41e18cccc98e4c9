package io.dynamo.client.impl;

import java.util.List;

/**
 * The nodes one request may go to, in the order it prefers them, and which it has tried: each node
 * at most once per request. Shared by a request's retries and its hedge, which run on different
 * threads.
 */
public final class Attempts {
  private final List<Endpoint> candidates;
  private boolean[] tried;
  private boolean cancelled;

  public Attempts(List<Endpoint> candidates) {
    this.candidates = new java.util.ArrayList<>(candidates);
    this.tried = new boolean[candidates.size()];
  }

  /**
   * Adds the nodes of {@code more} not yet among the candidates, after them (a new cluster map
   * may name replicas the old one did not).
   */
  public synchronized void refill(List<Endpoint> more) {
    for (Endpoint e : more) {
      if (!candidates.contains(e)) {
        candidates.add(e);
      }
    }
    tried = java.util.Arrays.copyOf(tried, candidates.size());
  }

  /** The request has its answer (a hedge won): no further attempt is to be made. */
  public synchronized void cancel() {
    cancelled = true;
  }

  public synchronized boolean isCancelled() {
    return cancelled;
  }

  /**
   * The first untried node that is not penalized, the caller becoming the probe of one whose
   * penalty just expired; else the first untried penalized one; null when every node was tried.
   */
  public synchronized Endpoint next() {
    int fallback = -1;
    for (int i = 0; i < candidates.size(); i++) {
      if (tried[i]) {
        continue;
      }
      if (candidates.get(i).health().tryTake()) {
        tried[i] = true;
        return candidates.get(i);
      }
      if (fallback < 0) {
        fallback = i;
      }
    }
    if (fallback < 0) {
      return null;
    }
    tried[fallback] = true;
    return candidates.get(fallback);
  }

  /** Whether no untried node is left: the last attempt gets all the time there is. */
  public synchronized boolean exhausted() {
    for (boolean t : tried) {
      if (!t) {
        return false;
      }
    }
    return true;
  }

  /** Whether some node is left untried that is not penalized (a hedge goes only to such a one). */
  public synchronized boolean hasHealthyUntried() {
    for (int i = 0; i < candidates.size(); i++) {
      if (!tried[i] && !candidates.get(i).health().isPenalized()) {
        return true;
      }
    }
    return false;
  }
}

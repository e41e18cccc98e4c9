package io.dynamo.client.impl;

/**
 * Bounds hedged requests to a fraction of all gets: every get earns {@code fraction} of a token,
 * a hedge spends one, and at most {@code burst} tokens are saved up. So when a whole node slows
 * down, hedging adds at most that fraction of load instead of doubling it.
 */
public final class HedgeBudget {
  private final double fraction;
  private final double burst;
  private double tokens;

  public HedgeBudget(double fraction, double burst) {
    if (fraction <= 0 || fraction > 1) {
      throw new IllegalArgumentException("hedge fraction must be within (0, 1]: " + fraction);
    }
    this.fraction = fraction;
    this.burst = burst;
    this.tokens = burst;
  }

  /** A get was sent. */
  public synchronized void earn() {
    tokens = Math.min(burst, tokens + fraction);
  }

  /** Whether a hedge may be sent now; takes its token if so. */
  public synchronized boolean trySpend() {
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}

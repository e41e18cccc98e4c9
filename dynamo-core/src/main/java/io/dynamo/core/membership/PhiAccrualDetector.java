package io.dynamo.core.membership;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * The phi-accrual failure detector of Hayashibara et al. (2004) for one monitored peer, as Akka
 * and Cassandra run it. Instead of a yes/no verdict it outputs a suspicion level, phi, that grows
 * with the time since the peer's last heartbeat, measured against the distribution of the
 * intervals seen so far: phi = -log10(P(the next heartbeat arrives even later)). The peer counts
 * as available while phi is below {@link PhiAccrualSettings#threshold()}.
 *
 * <p>Intervals are modelled as normally distributed with the sliding window's mean (plus {@link
 * PhiAccrualSettings#acceptableHeartbeatPauseMillis()}) and standard deviation (floored at {@link
 * PhiAccrualSettings#minStdDeviationMillis()}). The normal tail uses Akka's logistic approximation
 * of the CDF, {@code 1 / (1 + exp(-y (1.5976 + 0.070566 y^2)))}, computed here in a form that
 * neither underflows nor returns infinity: phi stays finite and non-decreasing in elapsed time.
 *
 * <p>Choices, the first two as in Akka:
 *
 * <ul>
 *   <li>Before the first heartbeat phi is 0 and the peer is available: a coordinator must try
 *       peers it has never heard from, and a peer that stays silent is then suspected by the
 *       request timeouts of the operations sent to it, not by this detector.
 *   <li>The first heartbeat only sets the arrival time, and seeds the window with two samples,
 *       estimate - estimate/4 and estimate + estimate/4, so phi is meaningful at once. The seeds
 *       are ordinary samples and leave the window as real intervals push them out.
 *   <li>An interval that ends at phi 8 or more is an outage, not a sample, and
 *       is not recorded: one long outage would otherwise inflate the mean and std-dev and make the
 *       next outage slow to detect. The heartbeat still resets the arrival time, so the peer is
 *       available again at once. Akka skips intervals that end while the peer is suspected, that
 *       is, at phi &ge; the configured threshold; the limit here is fixed instead (and equal to the
 *       default threshold, so with default settings the two agree). Akka's rule makes the window,
 *       and so phi, depend on the threshold, and then a larger threshold can mark a peer down
 *       earlier than a smaller one after some histories; with a fixed limit, phi is a function of
 *       the heartbeats alone and thresholds compare as they should.
 * </ul>
 *
 * <p>Time is passed in as milliseconds of a monotonic clock. A heartbeat stamped before the last
 * one is ignored; {@code phi} at a time before the last heartbeat treats the elapsed time as 0.
 * Not thread-safe: the caller serialises calls.
 */
public final class PhiAccrualDetector {
  /** Intervals ending at this phi or above are outages and stay out of the window. */
  static final double OUTAGE_PHI = 8.0;

  private static final double LN_10 = Math.log(10);

  private final PhiAccrualSettings settings;
  private final ArrayDeque<Long> intervals = new ArrayDeque<>();
  private boolean heardFrom;
  private long lastHeartbeatMillis;

  // Mean and std-dev of the window, recomputed (two-pass, exact enough) after it changes.
  private boolean statsStale = true;
  private double mean;
  private double stdDeviation;

  public PhiAccrualDetector(PhiAccrualSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public PhiAccrualSettings settings() {
    return settings;
  }

  /** Records a heartbeat from the peer arriving at {@code nowMillis}. */
  public void heartbeat(long nowMillis) {
    if (!heardFrom) {
      heardFrom = true;
      lastHeartbeatMillis = nowMillis;
      long estimate = settings.firstHeartbeatEstimateMillis();
      long spread = estimate / 4;
      record(estimate - spread);
      record(estimate + spread);
      return;
    }
    if (nowMillis < lastHeartbeatMillis) {
      return;
    }
    if (phi(nowMillis) < OUTAGE_PHI) {
      record(nowMillis - lastHeartbeatMillis);
    }
    lastHeartbeatMillis = nowMillis;
  }

  /**
   * The suspicion level at {@code nowMillis}: 0 before any heartbeat, otherwise
   * -log10(P_later(elapsed)), where P_later is the probability that an interval is longer than the
   * time elapsed since the last heartbeat. Never negative, never NaN or infinite, non-decreasing in
   * {@code nowMillis} until the next heartbeat.
   */
  public double phi(long nowMillis) {
    if (!heardFrom) {
      return 0.0;
    }
    refreshStats();
    double elapsed = elapsedMillis(nowMillis);
    double y = (elapsed - (mean + settings.acceptableHeartbeatPauseMillis())) / stdDeviation;
    return phiForDeviation(y);
  }

  /** Whether phi at {@code nowMillis} is below the threshold. */
  public boolean isAvailable(long nowMillis) {
    return phi(nowMillis) < settings.threshold();
  }

  /**
   * -log10(1 - F(y)) for the logistic approximation F(y) = 1 / (1 + exp(-z)), z = y (1.5976 +
   * 0.070566 y^2). That is log10(1 + exp(z)), computed as a softplus so that neither branch
   * overflows or underflows. z is strictly increasing in y, and so is the result.
   */
  static double phiForDeviation(double y) {
    double z = y * (1.5976 + 0.070566 * y * y);
    double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    return softplus / LN_10;
  }

  /** Number of intervals in the window, seeds included. */
  int sampleCount() {
    return intervals.size();
  }

  /** Mean of the window in milliseconds (without the acceptable pause); NaN before any sample. */
  double meanMillis() {
    refreshStats();
    return intervals.isEmpty() ? Double.NaN : mean;
  }

  /** Standard deviation of the window, floored at the configured minimum. */
  double stdDeviationMillis() {
    refreshStats();
    return stdDeviation;
  }

  private double elapsedMillis(long nowMillis) {
    if (nowMillis <= lastHeartbeatMillis) {
      return 0.0;
    }
    long elapsed = nowMillis - lastHeartbeatMillis;
    return elapsed < 0 ? (double) Long.MAX_VALUE : (double) elapsed; // < 0: the subtraction overflowed
  }

  private void record(long interval) {
    if (intervals.size() == settings.maxSampleSize()) {
      intervals.removeFirst();
    }
    intervals.addLast(interval);
    statsStale = true;
  }

  private void refreshStats() {
    if (!statsStale) {
      return;
    }
    double floor = settings.minStdDeviationMillis();
    int n = intervals.size();
    if (n == 0) {
      mean = 0;
      stdDeviation = floor;
    } else {
      double sum = 0;
      for (long x : intervals) {
        sum += x;
      }
      mean = sum / n;
      double squares = 0;
      for (long x : intervals) {
        double d = x - mean;
        squares += d * d;
      }
      stdDeviation = Math.max(Math.sqrt(squares / n), floor);
    }
    statsStale = false;
  }
}

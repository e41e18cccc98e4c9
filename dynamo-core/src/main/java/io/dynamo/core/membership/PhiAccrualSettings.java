package io.dynamo.core.membership;

/**
 * Settings of a {@link PhiAccrualDetector}. Durations are milliseconds of a monotonic clock.
 *
 * @param threshold phi at or above which a peer is considered unavailable. Phi is -log10 of the
 *     probability that a heartbeat still arrives, so 8 means "a 1 in 10^8 chance we are wrong,
 *     were intervals normally distributed" (Akka's and Cassandra's default). Larger is slower to
 *     suspect and less prone to false positives.
 * @param maxSampleSize how many inter-arrival intervals the sliding window keeps (at least 2, as
 *     the bootstrap seeds two)
 * @param minStdDeviationMillis floor under the window's standard deviation, so that very regular
 *     heartbeats (std-dev near 0) do not make phi jump to infinity on the slightest delay
 * @param acceptableHeartbeatPauseMillis added to the mean interval: a pause this long (a GC, a
 *     network blip) costs little phi. It dominates the detection time.
 * @param firstHeartbeatEstimateMillis the expected heartbeat interval, used to seed the window
 *     with two samples (estimate ± estimate/4) on the first heartbeat so phi is meaningful before
 *     real intervals have been seen
 */
public record PhiAccrualSettings(
    double threshold,
    int maxSampleSize,
    long minStdDeviationMillis,
    long acceptableHeartbeatPauseMillis,
    long firstHeartbeatEstimateMillis) {

  /**
   * Akka cluster's defaults, for heartbeats every second: threshold 8, 1000 samples, std-dev floor
   * 100 ms, 3 s acceptable pause, 1 s first estimate. A peer whose heartbeats stop is suspected
   * about 4.5 s after its last heartbeat (mean 1 s + pause 3 s + about 5.2 floored std-devs).
   */
  public static final PhiAccrualSettings DEFAULT =
      new PhiAccrualSettings(8.0, 1000, 100, 3_000, 1_000);

  public PhiAccrualSettings {
    if (!(threshold > 0) || Double.isInfinite(threshold)) {
      throw new IllegalArgumentException(
          "threshold must be a positive finite number, was " + threshold);
    }
    if (maxSampleSize < 2) {
      throw new IllegalArgumentException(
          "maxSampleSize must be at least 2 (the bootstrap seeds two samples), was "
              + maxSampleSize);
    }
    if (minStdDeviationMillis <= 0) {
      throw new IllegalArgumentException(
          "minStdDeviationMillis must be positive, was " + minStdDeviationMillis);
    }
    if (acceptableHeartbeatPauseMillis < 0) {
      throw new IllegalArgumentException(
          "acceptableHeartbeatPauseMillis must not be negative, was "
              + acceptableHeartbeatPauseMillis);
    }
    if (firstHeartbeatEstimateMillis <= 0) {
      throw new IllegalArgumentException(
          "firstHeartbeatEstimateMillis must be positive, was " + firstHeartbeatEstimateMillis);
    }
  }

  public PhiAccrualSettings withThreshold(double newThreshold) {
    return new PhiAccrualSettings(
        newThreshold,
        maxSampleSize,
        minStdDeviationMillis,
        acceptableHeartbeatPauseMillis,
        firstHeartbeatEstimateMillis);
  }
}

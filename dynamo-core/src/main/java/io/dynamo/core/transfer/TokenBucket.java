package io.dynamo.core.transfer;

/**
 * A byte-rate limit over caller-supplied time: {@code rate} bytes per second on average, up to
 * {@code burst} ahead after a quiet period. Spending may go into debt (a chunk's size is known only
 * once it is read); the next spend then waits {@link #delayMillis} until the debt is repaid. Pure:
 * no clock of its own, not thread-safe (one protocol thread uses it).
 */
public final class TokenBucket {
  private final long bytesPerSecond;
  private final double burst;
  private double tokens;
  private long lastMillis = Long.MIN_VALUE;

  /** @param bytesPerSecond 0: unlimited */
  public TokenBucket(long bytesPerSecond, long burstBytes) {
    this.bytesPerSecond = bytesPerSecond;
    this.burst = burstBytes;
    this.tokens = burstBytes;
  }

  public boolean unlimited() {
    return bytesPerSecond == 0;
  }

  /** Takes {@code bytes} at {@code nowMillis}, into debt if need be. */
  public void spend(long bytes, long nowMillis) {
    if (unlimited()) {
      return;
    }
    refill(nowMillis);
    tokens -= bytes;
  }

  /** How long from {@code nowMillis} until the bucket is out of debt (0: now). */
  public long delayMillis(long nowMillis) {
    if (unlimited()) {
      return 0;
    }
    refill(nowMillis);
    if (tokens >= 0) {
      return 0;
    }
    return (long) Math.ceil(-tokens * 1000.0 / bytesPerSecond);
  }

  private void refill(long nowMillis) {
    if (lastMillis != Long.MIN_VALUE && nowMillis > lastMillis) {
      tokens = Math.min(burst, tokens + (nowMillis - lastMillis) * (double) bytesPerSecond / 1000.0);
    }
    if (lastMillis == Long.MIN_VALUE || nowMillis > lastMillis) {
      lastMillis = nowMillis;
    }
  }
}

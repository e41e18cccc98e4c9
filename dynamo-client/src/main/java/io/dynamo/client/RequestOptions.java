package io.dynamo.client;

import java.time.Duration;

/**
 * Per-request overrides: read quorum R, write quorum W (0 = the bucket's setting), and the timeout
 * (null = the client's default).
 */
public record RequestOptions(int r, int w, Duration timeout) {
  public static final RequestOptions DEFAULT = new RequestOptions(0, 0, null);

  public RequestOptions {
    if (r < 0 || w < 0) {
      throw new IllegalArgumentException("r and w must not be negative");
    }
  }

  public static RequestOptions r(int r) {
    return new RequestOptions(r, 0, null);
  }

  public static RequestOptions w(int w) {
    return new RequestOptions(0, w, null);
  }

  public RequestOptions withTimeout(Duration timeout) {
    return new RequestOptions(r, w, timeout);
  }
}

package io.dynamo.core.sim;

/**
 * A fingerprint of everything a simulation executed: each event's time, sequence number and label
 * feed a 64-bit FNV-1a hash. Two runs of one seed must produce the same fingerprint. The full text is
 * kept only when asked for (it is large), to show where two runs diverged.
 */
public final class SimulatedTrace {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final StringBuilder text;
  private long hash = FNV_OFFSET;
  private long events;

  public SimulatedTrace(boolean keepText) {
    this.text = keepText ? new StringBuilder() : null;
  }

  void record(long time, long sequence, String label) {
    mix(time);
    mix(sequence);
    for (int i = 0; i < label.length(); i++) {
      hash = (hash ^ label.charAt(i)) * FNV_PRIME;
    }
    events++;
    if (text != null) {
      text.append(time).append(' ').append(sequence).append(' ').append(label).append('\n');
    }
  }

  private void mix(long v) {
    for (int i = 0; i < 8; i++) {
      hash = (hash ^ (v & 0xff)) * FNV_PRIME;
      v >>>= 8;
    }
  }

  public long hash() {
    return hash;
  }

  public long events() {
    return events;
  }

  /** The trace as one line per event, or null if this trace keeps no text. */
  public String text() {
    return text == null ? null : text.toString();
  }
}

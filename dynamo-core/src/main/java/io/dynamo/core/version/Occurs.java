package io.dynamo.core.version;

/** How one vector clock relates to another in the causal partial order. */
public enum Occurs {
  /** Every event of this clock is in the other, which has more. */
  BEFORE,
  /** This clock has every event of the other, and more. */
  AFTER,
  /** Both clocks hold the same events. */
  EQUAL,
  /** Each clock holds an event the other lacks. */
  CONCURRENT;

  public Occurs inverse() {
    return switch (this) {
      case BEFORE -> AFTER;
      case AFTER -> BEFORE;
      default -> this;
    };
  }
}

package io.dynamo.core.membership;

/** A commit that named a plan which is no longer the plan (or cannot be committed). */
public final class PlanChangedException extends RuntimeException {
  private final Claimant.Plan current;

  public PlanChangedException(Claimant.Plan current) {
    super(current.problems().isEmpty()
        ? (current.staged().isEmpty()
            ? "nothing is staged"
            : String.format("the plan is now %016x: look at it again", current.hash()))
        : "the plan cannot be committed: " + String.join("; ", current.problems()));
    this.current = current;
  }

  public Claimant.Plan current() {
    return current;
  }
}

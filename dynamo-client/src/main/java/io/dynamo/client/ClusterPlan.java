package io.dynamo.client;

import java.util.List;

/**
 * What committing the changes staged on a node would do: the moves, starting from ring version
 * {@code ringVersion}, and the hash a commit must name. {@code problems} lists staged changes that
 * cannot be planned; a plan with problems cannot be committed.
 */
public record ClusterPlan(
    List<String> staged,
    List<PlannedMove> moves,
    long planHash,
    long ringVersion,
    String claimant,
    long bytesToMove,
    List<String> problems) {
  public ClusterPlan {
    staged = List.copyOf(staged);
    moves = List.copyOf(moves);
    problems = List.copyOf(problems);
  }
}

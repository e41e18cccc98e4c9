package io.dynamo.cli;

import io.dynamo.client.ClusterPlan;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.NodeStatus;
import io.dynamo.client.PlannedMove;
import io.dynamo.client.RingLayout;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A membership command: changes are staged on, planned by and committed by the claimant
 * (docs/decisions/0007), so these commands find it through the first node that answers and talk
 * to it.
 */
abstract class ClaimantCommand extends ClientCommand {
  @Override
  final int run(DynamoClient client, PrintWriter out) {
    RingLayout ring = firstAnswer(client::ringAsync).value();
    NodeStatus status = firstStatus(client).value();
    String address = null;
    for (NodeStatus.Member m : status.members()) {
      if (m.nodeId().equals(ring.claimant())) {
        address = m.clientAddress();
      }
    }
    if (address == null) {
      throw new DynamoCli.UsageException(
          "no claimant: the cluster has no valid member believed up (mark unreachable members"
              + " down with `dynamo mark-down NODE` on another node)");
    }
    try (DynamoClient claimant = cli.connect(List.of(address))) {
      return runOnClaimant(claimant, out);
    }
  }

  /** Runs against a client whose node 0 is the claimant. */
  abstract int runOnClaimant(DynamoClient claimant, PrintWriter out);

  /** Blocks on a request to the claimant, turning its failure into the client's exception. */
  static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw failure(e);
    }
  }

  static void printPlan(ClusterPlan plan, PrintWriter out) {
    out.printf("ring version %d, claimant %s%n", plan.ringVersion(), plan.claimant());
    if (plan.staged().isEmpty()) {
      out.println("nothing staged");
      return;
    }
    out.println("staged: " + String.join(", ", plan.staged()));
    for (String problem : plan.problems()) {
      out.println("cannot plan: " + problem);
    }
    out.printf("moves: %d partition copies, %s%n", plan.moves().size(), bytes(plan.bytesToMove()));
    for (PlannedMove m : plan.moves()) {
      out.printf("  p%-5d %-8s -> %-8s %s%n", m.partition(), m.from(), m.to(), bytes(m.bytes()));
    }
    if (plan.problems().isEmpty()) {
      out.printf("plan %016x%n", plan.planHash());
    }
  }

  static Map<String, Object> planJson(ClusterPlan plan) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ringVersion", plan.ringVersion());
    body.put("claimant", plan.claimant());
    body.put("staged", plan.staged());
    body.put("problems", plan.problems());
    body.put("planHash", String.format("%016x", plan.planHash()));
    body.put("bytesToMove", plan.bytesToMove());
    body.put("moves", moves(plan.moves(), m -> m));
    return body;
  }

  static List<Object> moves(List<PlannedMove> moves, Function<Map<String, Object>, Object> wrap) {
    List<Object> out = new ArrayList<>(moves.size());
    for (PlannedMove m : moves) {
      Map<String, Object> move = new LinkedHashMap<>();
      move.put("partition", m.partition());
      move.put("from", m.from());
      move.put("to", m.to());
      move.put("bytes", m.bytes());
      out.add(wrap.apply(move));
    }
    return out;
  }

  /** A byte count in a short human form. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}

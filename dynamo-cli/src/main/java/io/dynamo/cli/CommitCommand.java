package io.dynamo.cli;

import io.dynamo.client.ClusterPlan;
import io.dynamo.client.DynamoClient;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "commit",
    mixinStandardHelpOptions = true,
    description = {
      "Commits the staged membership changes: prints the plan, then has the claimant commit it.",
      "With --plan HASH, commits only if the plan is still the one with that hash (as printed by"
          + " `dynamo plan`); otherwise the claimant re-plans and the command fails with"
          + " PLAN_CHANGED if the ring changed since the plan was shown."
    })
final class CommitCommand extends ClaimantCommand {
  @Option(names = "--plan", paramLabel = "HASH", description = "The plan's hash, from `dynamo plan`.")
  String planHash;

  @Override
  int runOnClaimant(DynamoClient claimant, PrintWriter out) {
    ClusterPlan plan = await(claimant.planAsync(0));
    if (plan.staged().isEmpty()) {
      throw new DynamoCli.UsageException("nothing staged: stage a change with join, leave, remove or mark-down");
    }
    if (!plan.problems().isEmpty()) {
      throw new DynamoCli.UsageException("the plan has problems: " + String.join("; ", plan.problems()));
    }
    long hash = planHash == null ? plan.planHash() : Long.parseUnsignedLong(planHash, 16);
    long version = await(claimant.commitAsync(0, hash));
    if (json) {
      Map<String, Object> body = new LinkedHashMap<>(planJson(plan));
      body.put("committedRingVersion", version);
      out.println(Json.write(body));
    } else {
      printPlan(plan, out);
      out.printf("committed: ring version %d; follow the copies with `dynamo transfers --watch`%n", version);
    }
    return ExitCode.OK;
  }
}

package io.dynamo.cli;

import io.dynamo.client.ChangeKind;
import io.dynamo.client.ClusterPlan;
import io.dynamo.client.DynamoClient;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what committing the staged membership changes would do: which partition copies move"
          + " from where to where, the bytes to move, and the plan's hash.",
      "--clear drops every staged change instead."
    })
final class PlanCommand extends ClaimantCommand {
  @Option(names = "--clear", description = "Drop every staged change.")
  boolean clear;

  @Override
  int runOnClaimant(DynamoClient claimant, PrintWriter out) {
    ClusterPlan plan =
        await(clear ? claimant.stageAsync(0, ChangeKind.CLEAR, "") : claimant.planAsync(0));
    if (json) {
      out.println(Json.write(planJson(plan)));
    } else {
      printPlan(plan, out);
    }
    return ExitCode.OK;
  }
}

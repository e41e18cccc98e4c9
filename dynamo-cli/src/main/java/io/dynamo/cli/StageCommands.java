package io.dynamo.cli;

import io.dynamo.client.ChangeKind;
import io.dynamo.client.ClusterPlan;
import io.dynamo.client.DynamoClient;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The commands that stage one membership change on the claimant and print the resulting plan. */
final class StageCommands {
  private StageCommands() {}

  abstract static class Stage extends ClaimantCommand {
    @Parameters(index = "0", paramLabel = "NODE", description = "The node's id.")
    String node;

    abstract ChangeKind kind();

    @Override
    int runOnClaimant(DynamoClient claimant, PrintWriter out) {
      ClusterPlan plan = await(claimant.stageAsync(0, kind(), node));
      if (json) {
        out.println(Json.write(planJson(plan)));
      } else {
        printPlan(plan, out);
        if (plan.problems().isEmpty() && !plan.staged().isEmpty()) {
          out.println("run `dynamo commit` to apply it");
        }
      }
      return plan.problems().isEmpty() ? ExitCode.OK : ExitCode.INVALID_REQUEST;
    }
  }

  @Command(
      name = "join",
      mixinStandardHelpOptions = true,
      description = {
        "Stages making NODE a member. NODE must have found the cluster: start it with the"
            + " cluster's nodes as seeds (`seeds` in its config, or `scripts/cluster.sh add`).",
        "Prints the plan; `dynamo commit` applies it."
      })
  static final class Join extends Stage {
    @Override
    ChangeKind kind() {
      return ChangeKind.JOIN;
    }
  }

  @Command(
      name = "leave",
      mixinStandardHelpOptions = true,
      description = {
        "Stages NODE leaving: its partitions are copied to the other members, then it is removed.",
        "Prints the plan; `dynamo commit` applies it."
      })
  static final class Leave extends Stage {
    @Override
    ChangeKind kind() {
      return ChangeKind.LEAVE;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = {
        "Stages removing NODE, a member that is gone for good: its partitions are copied from"
            + " their other owners.",
        "Prints the plan; `dynamo commit` applies it."
      })
  static final class Remove extends Stage {
    @Override
    ChangeKind kind() {
      return ChangeKind.REMOVE;
    }
  }

  @Command(
      name = "mark-down",
      mixinStandardHelpOptions = true,
      description = {
        "Stages marking NODE down: an unreachable member that should not block changes. It stops"
            + " being claimant, and later plans may move its partitions away."
      })
  static final class MarkDown extends Stage {
    @Override
    ChangeKind kind() {
      return ChangeKind.MARK_DOWN;
    }
  }
}

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

    @picocli.CommandLine.Option(
        names = "--commit",
        description = "Commit the plan at once (as `dynamo commit` would) if it has no problems.")
    boolean commit;

    abstract ChangeKind kind();

    private static boolean unknown(ClusterPlan plan) {
      return plan.problems().stream().anyMatch(p -> p.contains("unknown node"));
    }

    @Override
    int runOnClaimant(DynamoClient claimant, PrintWriter out) {
      ClusterPlan plan = await(claimant.stageAsync(0, kind(), node));
      // A node just started is known to the claimant only once gossip brings its entry there.
      long giveUp = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
      while (kind() == ChangeKind.JOIN && unknown(plan) && System.nanoTime() - giveUp < 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
        plan = await(claimant.stageAsync(0, kind(), node));
      }
      boolean ok = plan.problems().isEmpty();
      Long committed = ok && commit ? await(claimant.commitAsync(0, plan.planHash())) : null;
      if (json) {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>(planJson(plan));
        if (committed != null) {
          body.put("committedRingVersion", committed);
        }
        out.println(Json.write(body));
      } else {
        printPlan(plan, out);
        if (committed != null) {
          out.printf(
              "committed: ring version %d; follow the copies with `dynamo transfers --watch`%n",
              committed);
        } else if (ok && !plan.staged().isEmpty()) {
          out.println("run `dynamo commit` to apply it");
        }
      }
      return ok ? ExitCode.OK : ExitCode.INVALID_REQUEST;
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

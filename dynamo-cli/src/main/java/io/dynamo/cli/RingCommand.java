package io.dynamo.cli;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.RingLayout;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "ring",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the ring as the first node that answers holds it: its version and claimant, each"
          + " member's share of the partition copies against its fair share, the moves under way,"
          + " and with --partitions every partition's owners (pending owners after a +).",
      "--json lists every partition: {\"version\":V,\"claimant\":ID,\"replicas\":N,"
          + "\"members\":[...],\"pendingMoves\":[...],\"partitions\":[{\"partition\":P,"
          + "\"owners\":[ID,...],\"pending\":[ID,...]},...]}."
    })
final class RingCommand extends ClientCommand {
  @Option(names = "--partitions", description = "List every partition's owners.")
  boolean partitions;

  @Override
  int run(DynamoClient client, PrintWriter out) {
    RingLayout ring = firstAnswer(client::ringAsync).value();
    if (json) {
      out.println(Json.write(toJson(ring)));
      return ExitCode.OK;
    }
    out.printf(
        "ring version %d, claimant %s, %d partitions x %d replicas%n",
        ring.version(), ring.claimant(), ring.partitions().size(), ring.replicas());
    out.printf("%-8s %-8s %8s %7s %8s%n", "member", "status", "capacity", "copies", "of fair");
    for (RingLayout.MemberLoad m : ring.members()) {
      out.printf(
          "%-8s %-8s %8d %7d %7.1f%%%n",
          m.nodeId(), m.status(), m.capacity(), m.copies(), 100 * m.shareOfFair());
    }
    if (!ring.pendingMoves().isEmpty()) {
      out.printf("pending moves: %d (see `dynamo transfers`)%n", ring.pendingMoves().size());
    }
    if (partitions) {
      for (RingLayout.Partition p : ring.partitions()) {
        out.printf(
            "p%-5d %s%s%n", p.partition(), String.join(" ", p.owners()),
            p.pending().isEmpty() ? "" : "  +" + String.join(" +", p.pending()));
      }
    }
    return ExitCode.OK;
  }

  private static Map<String, Object> toJson(RingLayout ring) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", ring.version());
    body.put("claimant", ring.claimant());
    body.put("replicas", ring.replicas());
    List<Object> members = new ArrayList<>();
    for (RingLayout.MemberLoad m : ring.members()) {
      Map<String, Object> member = new LinkedHashMap<>();
      member.put("id", m.nodeId());
      member.put("status", m.status());
      member.put("capacity", m.capacity());
      member.put("copies", m.copies());
      member.put("shareOfFair", m.shareOfFair());
      members.add(member);
    }
    body.put("members", members);
    body.put("pendingMoves", ClaimantCommand.moves(ring.pendingMoves(), m -> m));
    List<Object> partitions = new ArrayList<>();
    for (RingLayout.Partition p : ring.partitions()) {
      Map<String, Object> partition = new LinkedHashMap<>();
      partition.put("partition", p.partition());
      partition.put("owners", p.owners());
      partition.put("pending", p.pending());
      partitions.add(partition);
    }
    body.put("partitions", partitions);
    return body;
  }
}

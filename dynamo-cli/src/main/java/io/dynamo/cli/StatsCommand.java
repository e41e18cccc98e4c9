package io.dynamo.cli;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.DynamoException;
import io.dynamo.client.HintQueue;
import io.dynamo.client.NodeStatus;
import io.dynamo.client.RepairStatus;
import io.dynamo.client.RingLayout;
import io.dynamo.client.TransferStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the key figures of every member in one table, asking all members at once. The members"
          + " come from the first node that answers; a member that does not answer gets a row"
          + " saying so, and does not fail the command.",
      "Columns: answer (yes, partly, NO: see the lines under the table), seen up (how many of the"
          + " nodes that answered believe it up), uptime, ring (the ring version it holds), first"
          + " and copies (partitions it is first owner of, partition copies it owns), hints and"
          + " oldest (hints it holds, age of the oldest), xfers and received (copies it is"
          + " receiving now, bytes received in copies since it started), ae queue and ae run"
          + " (anti-entropy exchanges queued on request, exchanges running), repaired and purged"
          + " (keys repaired, tombstones purged since it started), storage errs.",
      "--watch [INTERVAL] redraws every INTERVAL (default 2s) until Ctrl-C.",
      "--json prints {\"nodes\":[{\"node\":ID,\"address\":\"HOST:PORT\",\"answered\":\"all|some|none\","
          + "\"seenUpBy\":N,\"seenBy\":N,\"uptimeMillis\":MS,\"ringVersion\":V,"
          + "\"partitionsFirst\":N,\"copies\":N,\"hints\":N,\"oldestHintMillis\":MS,"
          + "\"transfersRunning\":N,\"transferBytesDone\":B,\"repairPending\":N,"
          + "\"exchangesRunning\":N,\"keysRepaired\":K,\"tombstonesPurged\":T,"
          + "\"storageFailures\":N,\"error\":{\"code\":\"...\",\"message\":\"...\"}},...]}"
          + " (null for what a node did not give)."
    })
final class StatsCommand extends ClientCommand {
  @Mixin WatchOptions watch;

  @Override
  int run(DynamoClient client, PrintWriter out) {
    return watch.run(spec, json, frame -> draw(client, frame));
  }

  private boolean draw(DynamoClient client, PrintWriter out) {
    List<NodeStats> nodes = collect(client);
    if (json) {
      out.println(Json.write(StatsView.json(nodes)));
    } else {
      out.print(StatsView.text(nodes));
    }
    return true;
  }

  /** Asks every member its five answers, all requests in flight at once. */
  private List<NodeStats> collect(DynamoClient client) {
    List<NodeStatus.Member> members = firstStatus(client).value().members();
    List<String> addresses = members.stream().map(NodeStatus.Member::clientAddress).toList();
    // One client to every member: index i is members.get(i).
    try (DynamoClient all = cli.connect(addresses)) {
      List<Asked> asked = new ArrayList<>();
      for (int i = 0; i < members.size(); i++) {
        asked.add(
            new Asked(
                all.statusAsync(i), all.hintsAsync(i), all.transfersAsync(i),
                all.repairStatusAsync(i), all.ringAsync(i)));
      }
      List<NodeStats> nodes = new ArrayList<>();
      for (int i = 0; i < members.size(); i++) {
        nodes.add(asked.get(i).answers(members.get(i)));
      }
      return nodes;
    }
  }

  /** The requests in flight to one member. */
  private record Asked(
      CompletableFuture<NodeStatus> status,
      CompletableFuture<List<HintQueue>> hints,
      CompletableFuture<List<TransferStatus>> transfers,
      CompletableFuture<RepairStatus> repair,
      CompletableFuture<RingLayout> ring) {

    NodeStats answers(NodeStatus.Member member) {
      List<DynamoException> errors = new ArrayList<>();
      return new NodeStats(
          member, await(status, errors), await(hints, errors), await(transfers, errors),
          await(repair, errors), await(ring, errors), errors.isEmpty() ? null : errors.get(0));
    }

    /** The answer, or null with the failure added to {@code errors}. */
    private static <T> T await(CompletableFuture<T> future, List<DynamoException> errors) {
      try {
        return future.join();
      } catch (CompletionException e) {
        errors.add(failure(e));
        return null;
      }
    }
  }
}

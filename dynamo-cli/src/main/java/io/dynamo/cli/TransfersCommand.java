package io.dynamo.cli;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.NodeStatus;
import io.dynamo.client.TransferStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "transfers",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the partition copies being streamed to new owners, as each receiving member reports"
          + " them: from, to, bytes done, rate and time left, with a progress bar.",
      "--watch [INTERVAL] redraws every INTERVAL (default 2s) until no copy is queued or copying"
          + " and the ring has no move pending (the claimant switches reads and releases old owners"
          + " after the copies), or Ctrl-C.",
      "--json prints {\"transfers\":[{\"partition\":P,\"from\":ID,\"to\":ID,\"state\":S,"
          + "\"bytesDone\":B,\"bytesTotal\":B,\"keysDone\":K,\"bytesPerSecond\":R,"
          + "\"error\":\"...\"},...],\"unreachable\":[ID,...]}."
    })
final class TransfersCommand extends ClientCommand {
  @Mixin WatchOptions watch;

  @Override
  int run(DynamoClient client, PrintWriter out) {
    return watch.run(spec, json, frame -> draw(client, frame));
  }

  /** One look at the copies; answers whether any is still under way. */
  private boolean draw(DynamoClient client, PrintWriter out) {
    List<TransferStatus> transfers = new ArrayList<>();
    List<String> unreachable = new ArrayList<>();
    collect(client, transfers, unreachable);
    transfers.sort(
        Comparator.comparing(TransferStatus::to).thenComparingInt(TransferStatus::partition));
    if (json) {
      out.println(Json.write(toJson(transfers, unreachable)));
    } else {
      print(transfers, unreachable, out);
    }
    // Copies done is not moves done: the claimant still switches reads and releases old owners.
    int pendingMoves = firstAnswer(client::ringAsync).value().pendingMoves().size();
    boolean active =
        pendingMoves > 0
            || transfers.stream()
                .anyMatch(t -> t.state().equals("queued") || t.state().equals("copying"));
    if (watch.watching() && active && !json) {
      out.printf("%d moves pending%n", pendingMoves);
    }
    return active;
  }

  private void collect(DynamoClient client, List<TransferStatus> transfers, List<String> unreachable) {
    List<NodeStatus.Member> members = firstStatus(client).value().members();
    List<String> addresses = members.stream().map(NodeStatus.Member::clientAddress).toList();
    try (DynamoClient all = cli.connect(addresses)) {
      List<CompletableFuture<List<TransferStatus>>> asked = new ArrayList<>();
      for (int i = 0; i < members.size(); i++) {
        asked.add(all.transfersAsync(i));
      }
      for (int i = 0; i < members.size(); i++) {
        try {
          transfers.addAll(asked.get(i).join());
        } catch (CompletionException e) {
          unreachable.add(members.get(i).nodeId());
        }
      }
    }
  }

  private static void print(List<TransferStatus> transfers, List<String> unreachable, PrintWriter out) {
    if (transfers.isEmpty()) {
      out.println("no transfers");
    }
    for (TransferStatus t : transfers) {
      double rate = t.bytesPerSecond();
      String eta =
          t.bytesTotal() > t.bytesDone() && rate > 0
              ? age(Duration.ofMillis((long) ((t.bytesTotal() - t.bytesDone()) * 1000 / rate)))
              : "-";
      out.printf(
          "p%-5d %-8s -> %-8s %-7s %s %10s of %-10s %10s/s  eta %s%s%n",
          t.partition(), t.from(), t.to(), t.state(), bar(t), ClaimantCommand.bytes(t.bytesDone()),
          t.bytesTotal() == 0 ? "?" : ClaimantCommand.bytes(t.bytesTotal()),
          ClaimantCommand.bytes((long) rate), eta, t.error().isEmpty() ? "" : "  " + t.error());
    }
    if (!unreachable.isEmpty()) {
      out.println("not answering: " + String.join(", ", unreachable));
    }
  }

  private static String bar(TransferStatus t) {
    int width = 20;
    double done =
        t.state().equals("done") ? 1 : t.bytesTotal() == 0 ? 0 : Math.min(1, (double) t.bytesDone() / t.bytesTotal());
    int filled = (int) Math.round(done * width);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
  }

  private static Map<String, Object> toJson(List<TransferStatus> transfers, List<String> unreachable) {
    List<Object> list = new ArrayList<>();
    for (TransferStatus t : transfers) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("partition", t.partition());
      m.put("from", t.from());
      m.put("to", t.to());
      m.put("state", t.state());
      m.put("bytesDone", t.bytesDone());
      m.put("bytesTotal", t.bytesTotal());
      m.put("keysDone", t.keysDone());
      m.put("bytesPerSecond", t.bytesPerSecond());
      m.put("error", t.error());
      list.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("transfers", list);
    body.put("unreachable", unreachable);
    return body;
  }
}

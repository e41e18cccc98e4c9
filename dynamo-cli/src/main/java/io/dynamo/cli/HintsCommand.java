package io.dynamo.cli;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.DynamoException;
import io.dynamo.client.HintQueue;
import io.dynamo.client.NodeStatus;
import io.dynamo.client.RequestTimeoutException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;

@Command(
    name = "hints",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the hints each node holds for home replicas that were down.",
      "A hint is a write a node accepted as a substitute for a home replica believed down, kept"
          + " until it is handed off to that replica. One line per holder and target: how many"
          + " hints, and the age of the oldest.",
      "The members come from the first node that answers; each member is then asked for its own"
          + " hints. A member that cannot be asked is reported, and does not fail the command.",
      "--json prints {\"queues\":[{\"holder\":ID,\"target\":ID,\"count\":N,\"oldestAgeMillis\":MS},...],"
          + "\"unreachable\":[{\"node\":ID,\"address\":\"HOST:PORT\",\"code\":\"...\","
          + "\"message\":\"...\"},...]}."
    })
final class HintsCommand extends ClientCommand {
  /** One member's answer: its hint queues, or why it could not be asked. */
  private record Holder(NodeStatus.Member member, List<HintQueue> queues, DynamoException error) {}

  @Override
  int run(DynamoClient client, PrintWriter out) {
    NodeStatus status = firstStatus(client).value();
    List<NodeStatus.Member> members = status.members();
    List<String> addresses = new ArrayList<>();
    for (NodeStatus.Member m : members) {
      addresses.add(m.clientAddress());
    }
    List<Holder> holders = new ArrayList<>();
    // One client to every member, asked all at once: index i is members.get(i).
    try (DynamoClient all = cli.connect(addresses)) {
      List<CompletableFuture<List<HintQueue>>> asked = new ArrayList<>();
      for (int i = 0; i < members.size(); i++) {
        asked.add(all.hintsAsync(i));
      }
      for (int i = 0; i < members.size(); i++) {
        try {
          List<HintQueue> queues = new ArrayList<>(asked.get(i).join());
          queues.sort(Comparator.comparing(HintQueue::target));
          holders.add(new Holder(members.get(i), queues, null));
        } catch (CompletionException e) {
          holders.add(new Holder(members.get(i), List.of(), failure(e)));
        }
      }
    }
    if (json) {
      out.println(Json.write(toJson(holders)));
    } else {
      print(holders, out);
    }
    return ExitCode.OK;
  }

  private static void print(List<Holder> holders, PrintWriter out) {
    boolean any = false;
    boolean unreachable = false;
    for (Holder h : holders) {
      any |= !h.queues().isEmpty();
      unreachable |= h.error() != null;
    }
    if (any) {
      out.printf("%-8s %-8s %8s  %s%n", "holder", "target", "hints", "oldest");
      for (Holder h : holders) {
        for (HintQueue q : h.queues()) {
          out.printf(
              "%-8s %-8s %8d  %s%n", h.member().nodeId(), q.target(), q.count(), age(q.oldestAge()));
        }
      }
    } else {
      out.println(unreachable ? "no hints on the nodes that answered" : "no hints on any node");
    }
    for (Holder h : holders) {
      if (h.error() != null) {
        out.printf("%s %s: %s%n", h.member().nodeId(), why(h.error()), h.error().getMessage());
      }
    }
  }

  private static String why(DynamoException e) {
    if (e instanceof ConnectionException) {
      return "unreachable";
    }
    if (e instanceof RequestTimeoutException) {
      return "did not answer in time";
    }
    return "failed (" + e.code() + ")";
  }

  private static Map<String, Object> toJson(List<Holder> holders) {
    List<Object> queues = new ArrayList<>();
    List<Object> unreachable = new ArrayList<>();
    for (Holder h : holders) {
      for (HintQueue q : h.queues()) {
        Map<String, Object> queue = new LinkedHashMap<>();
        queue.put("holder", h.member().nodeId());
        queue.put("target", q.target());
        queue.put("count", q.count());
        queue.put("oldestAgeMillis", q.oldestAge().toMillis());
        queues.add(queue);
      }
      if (h.error() != null) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("node", h.member().nodeId());
        node.put("address", h.member().clientAddress());
        node.put("code", h.error().code());
        node.put("message", String.valueOf(h.error().getMessage()));
        unreachable.add(node);
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("queues", queues);
    body.put("unreachable", unreachable);
    return body;
  }
}

package io.dynamo.cli;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.NodeStatus;
import io.dynamo.client.RepairStatus;
import io.dynamo.client.RingLayout;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description = {
      "Runs anti-entropy now: every member exchanges each partition it owns (or only --partition P)"
          + " with the partition's other owners, repairing the keys whose versions differ, and the"
          + " command shows progress until every member is done (or --wait passes).",
      "--status only shows, per partition, each owner's hash-tree root (replicas that agree have"
          + " equal roots), the time since the last full exchange and the keys repaired; --differing"
          + " lists only the partitions whose owners disagree; --status --watch [INTERVAL] redraws"
          + " it every INTERVAL (default 2s) until Ctrl-C.",
      "--json prints {\"partitions\":[{\"partition\":P,\"roots\":{ID:HEX,...},\"agree\":B,"
          + "\"secondsSinceFullExchange\":S,\"keysRepaired\":K},...],\"agree\":N,\"differ\":N,"
          + "\"unknown\":N,\"unreachable\":[ID,...],\"nodes\":{ID:{\"exchangeBytesSent\":B,"
          + "\"answerBytesSent\":B,\"keysCompared\":K,\"keysRepaired\":K,\"exchanges\":E,"
          + "\"tombstonesPurged\":T,\"pending\":P},...}}."
    })
final class RepairCommand extends ClientCommand {
  @Option(names = "--partition", paramLabel = "P", description = "Only this partition.")
  Integer partition;

  @Option(names = "--status", description = "Show the replicas' tree roots; start nothing.")
  boolean status;

  @Option(names = "--differing", description = "With --status: only partitions whose owners disagree.")
  boolean differing;

  @Option(
      names = "--wait",
      converter = DurationConverter.class,
      defaultValue = "10m",
      description = "How long to wait for the exchanges (default ${DEFAULT-VALUE}).")
  Duration waitFor;

  @Mixin WatchOptions watch;

  @Override
  int run(DynamoClient client, PrintWriter out) {
    if (status) {
      return watch.run(spec, json, frame -> showStatus(client, frame));
    }
    if (watch.watching()) {
      // Repeating a repair would queue the exchanges again each time: only --status is watched.
      throw new DynamoCli.UsageException(
          "--watch only with --status (repair itself shows progress until the exchanges are done)");
    }
    List<NodeStatus.Member> members = firstStatus(client).value().members();
    List<String> addresses = members.stream().map(NodeStatus.Member::clientAddress).toList();
    try (DynamoClient all = cli.connect(addresses)) {
      int queued = 0;
      for (int i = 0; i < members.size(); i++) {
        try {
          queued += all.repairAsync(i, partition, true).join().size();
        } catch (CompletionException e) {
          if (!json) {
            out.printf("%s did not answer: %s%n", members.get(i).nodeId(), failure(e).getMessage());
          }
        }
      }
      if (!json) {
        out.printf("queued %d partition exchanges on %d members%n", queued, members.size());
        out.flush();
      }
      long deadline = System.nanoTime() + waitFor.toNanos();
      while (true) {
        Map<String, RepairStatus> statuses = collect(all, members, new ArrayList<>());
        int pending = statuses.values().stream().mapToInt(RepairStatus::pending).sum();
        long repaired = statuses.values().stream()
            .flatMap(s -> s.partitions().stream()).mapToLong(RepairStatus.Partition::keysRepaired).sum();
        if (!json) {
          out.printf("%d exchanges pending, %d keys repaired since the nodes started%n", pending, repaired);
          out.flush();
        }
        if (pending == 0) {
          break;
        }
        if (System.nanoTime() > deadline) {
          if (!json) {
            out.printf("still %d exchanges pending after %s%n", pending, waitFor);
          }
          return ExitCode.TIMEOUT;
        }
        LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
      }
    }
    showStatus(client, out);
    return ExitCode.OK;
  }

  /** Every partition's owners' tree roots, as the members report them; always true (a view). */
  private boolean showStatus(DynamoClient client, PrintWriter out) {
    List<NodeStatus.Member> members = firstStatus(client).value().members();
    List<String> unreachable = new ArrayList<>();
    Map<String, RepairStatus> statuses;
    try (DynamoClient all =
        cli.connect(members.stream().map(NodeStatus.Member::clientAddress).toList())) {
      statuses = collect(all, members, unreachable);
    }
    RingLayout ring = firstAnswer(client::ringAsync).value();
    Map<String, Map<Integer, RepairStatus.Partition>> byNode = new HashMap<>();
    statuses.forEach((node, s) -> {
      Map<Integer, RepairStatus.Partition> m = new HashMap<>();
      for (RepairStatus.Partition p : s.partitions()) {
        m.put(p.partition(), p);
      }
      byNode.put(node, m);
    });
    int agree = 0;
    int differ = 0;
    int unknown = 0;
    List<Object> rows = new ArrayList<>();
    for (RingLayout.Partition p : ring.partitions()) {
      if (partition != null && p.partition() != partition) {
        continue;
      }
      Map<String, String> roots = new LinkedHashMap<>();
      boolean known = true;
      long sinceFull = -1;
      long repaired = 0;
      for (String owner : p.owners()) {
        RepairStatus.Partition r = byNode.getOrDefault(owner, Map.of()).get(p.partition());
        if (r == null || !r.treeReady()) {
          roots.put(owner, "-");
          known = false;
          continue;
        }
        roots.put(owner, String.format("%016x", r.root()));
        repaired += r.keysRepaired();
        if (r.millisSinceFullExchange() >= 0
            && (sinceFull < 0 || r.millisSinceFullExchange() < sinceFull)) {
          sinceFull = r.millisSinceFullExchange();
        }
      }
      boolean same = known && roots.values().stream().distinct().count() == 1;
      if (!known) {
        unknown++;
      } else if (same) {
        agree++;
      } else {
        differ++;
      }
      if (differing && (same || !known)) {
        continue;
      }
      if (json) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("partition", p.partition());
        row.put("roots", roots);
        row.put("agree", same);
        row.put("secondsSinceFullExchange", sinceFull < 0 ? -1 : sinceFull / 1000);
        row.put("keysRepaired", repaired);
        rows.add(row);
      } else {
        StringBuilder line = new StringBuilder(String.format("p%-5d", p.partition()));
        roots.forEach((node, root) -> line.append(String.format(" %s=%s", node, root)));
        line.append(same ? "  agree" : known ? "  DIFFER" : "  unknown");
        line.append(sinceFull < 0 ? "  no full exchange yet" : "  full exchange " + age(Duration.ofMillis(sinceFull)) + " ago");
        if (repaired > 0) {
          line.append("  repaired ").append(repaired);
        }
        out.println(line);
      }
    }
    if (json) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("partitions", rows);
      body.put("agree", agree);
      body.put("differ", differ);
      body.put("unknown", unknown);
      body.put("unreachable", unreachable);
      Map<String, Object> nodes = new LinkedHashMap<>();
      statuses.forEach((node, st) -> {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("exchangeBytesSent",
            st.partitions().stream().mapToLong(RepairStatus.Partition::bytesSent).sum());
        n.put("answerBytesSent", st.answerBytesSent());
        n.put("keysCompared",
            st.partitions().stream().mapToLong(RepairStatus.Partition::keysCompared).sum());
        n.put("keysRepaired",
            st.partitions().stream().mapToLong(RepairStatus.Partition::keysRepaired).sum());
        n.put("exchanges", st.partitions().stream().mapToLong(RepairStatus.Partition::exchanges).sum());
        n.put("tombstonesPurged",
            st.partitions().stream().mapToLong(RepairStatus.Partition::tombstonesPurged).sum());
        n.put("pending", st.pending());
        nodes.put(node, n);
      });
      body.put("nodes", nodes);
      out.println(Json.write(body));
    } else {
      out.printf("%d partitions: %d agree, %d differ, %d unknown (a tree not built or a node not"
          + " answering)%n", agree + differ + unknown, agree, differ, unknown);
      if (!unreachable.isEmpty()) {
        out.println("not answering: " + String.join(", ", unreachable));
      }
    }
    return true;
  }

  private static Map<String, RepairStatus> collect(
      DynamoClient all, List<NodeStatus.Member> members, List<String> unreachable) {
    List<CompletableFuture<RepairStatus>> asked = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      asked.add(all.repairStatusAsync(i));
    }
    Map<String, RepairStatus> out = new LinkedHashMap<>();
    for (int i = 0; i < members.size(); i++) {
      try {
        RepairStatus s = asked.get(i).join();
        out.put(s.nodeId(), s);
      } catch (CompletionException e) {
        unreachable.add(members.get(i).nodeId());
      }
    }
    return out;
  }
}

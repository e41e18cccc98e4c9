package io.dynamo.cli;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.NodeStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows a node and the cluster as it sees it: id, version, partitions, default N/R/W, and"
          + " one line per member (id, state, client address, capacity, partition copies owned and"
          + " how many as first owner, up or down, zone).",
      "With several nodes given, asks the first one that answers. --watch [INTERVAL] redraws it"
          + " every INTERVAL (default 2s) until Ctrl-C."
    })
final class StatusCommand extends ClientCommand {
  @Mixin WatchOptions watch;

  @Override
  int run(DynamoClient client, PrintWriter out) {
    return watch.run(spec, json, frame -> draw(client, frame));
  }

  private boolean draw(DynamoClient client, PrintWriter out) {
    NodeStatus s = firstStatus(client).value();
    if (json) {
      out.println(Json.write(toJson(s)));
      return true;
    }
    out.printf("node %s (version %s, up %ds)%n", s.nodeId(), s.version(), s.uptime().toSeconds());
    out.printf(
        "partitions %d, defaults N=%d R=%d W=%d%n",
        s.partitions(), s.defaultN(), s.defaultR(), s.defaultW());
    if (s.storageFailures() > 0) {
      out.printf("storage failures %d, last: %s%n", s.storageFailures(), s.lastStorageError());
    }
    out.printf("members (%d):%n", s.members().size());
    for (NodeStatus.Member m : s.members()) {
      out.printf(
          "  %-8s %-7s %-21s capacity %d  %4d copies (%d first)  %-4s phi %.1f%s%n",
          m.nodeId(), m.state(), m.clientAddress(), m.capacity(), m.copies(), m.partitionsOwned(),
          m.up() ? "up" : "DOWN", m.phi(), m.zone().isEmpty() ? "" : "  zone " + m.zone());
    }
    return true;
  }

  private static Map<String, Object> toJson(NodeStatus s) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node", s.nodeId());
    body.put("version", s.version());
    body.put("uptimeMillis", s.uptime().toMillis());
    body.put("partitions", s.partitions());
    body.put("n", s.defaultN());
    body.put("r", s.defaultR());
    body.put("w", s.defaultW());
    body.put("storageFailures", s.storageFailures());
    body.put("lastStorageError", s.lastStorageError());
    List<Object> members = new ArrayList<>();
    for (NodeStatus.Member m : s.members()) {
      Map<String, Object> member = new LinkedHashMap<>();
      member.put("id", m.nodeId());
      member.put("client", m.clientAddress());
      member.put("peer", m.peerAddress());
      member.put("capacity", m.capacity());
      member.put("zone", m.zone());
      member.put("partitions", m.partitionsOwned());
      member.put("state", m.state());
      member.put("copies", m.copies());
      member.put("up", m.up());
      member.put("phi", m.phi());
      members.add(member);
    }
    body.put("members", members);
    return body;
  }
}

package io.dynamo.cli;

import io.dynamo.client.NodeStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The output of {@code dynamo stats}: one row per member as a text table (numbers right-aligned,
 * sizes and ages in human units, "-" for a figure the node did not give) or as JSON (null for
 * those). Pure formatting: the answers are collected by {@link StatsCommand}.
 */
final class StatsView {
  private static final List<Table.Column> COLUMNS =
      List.of(
          Table.Column.text("node"),
          Table.Column.text("answer"),
          Table.Column.number("seen up"),
          Table.Column.number("uptime"),
          Table.Column.number("ring"),
          Table.Column.number("first"),
          Table.Column.number("copies"),
          Table.Column.number("hints"),
          Table.Column.number("oldest"),
          Table.Column.number("xfers"),
          Table.Column.number("received"),
          Table.Column.number("ae queue"),
          Table.Column.number("ae run"),
          Table.Column.number("repaired"),
          Table.Column.number("purged"),
          Table.Column.number("storage errs"));

  private StatsView() {}

  /** The table, then one line per node that did not answer everything, saying why. */
  static String text(List<NodeStats> nodes) {
    Table table = new Table(COLUMNS);
    for (NodeStats n : nodes) {
      table.row(
          List.of(
              n.nodeId(),
              answer(n),
              seenUpBy(nodes, n) + "/" + answering(nodes),
              cell(n.uptime(), ClientCommand::age),
              cell(n.ringVersion(), String::valueOf),
              cell(n.partitionsFirst(), String::valueOf),
              cell(n.copies(), String::valueOf),
              cell(n.hintCount(), String::valueOf),
              cell(n.oldestHint(), ClientCommand::age),
              cell(n.transfersRunning(), String::valueOf),
              cell(n.transferBytesDone(), ClaimantCommand::bytes),
              cell(n.repairPending(), String::valueOf),
              cell(n.exchangesRunning(), String::valueOf),
              cell(n.keysRepaired(), String::valueOf),
              cell(n.tombstonesPurged(), String::valueOf),
              cell(n.storageFailures(), String::valueOf)));
    }
    StringBuilder out = new StringBuilder(table.render());
    for (NodeStats n : nodes) {
      if (!n.answeredAll()) {
        out.append(
            String.format(
                "%s (%s) %s: %s: %s%n",
                n.nodeId(), n.member().clientAddress(),
                n.answeredNone() ? "did not answer" : "answered only in part",
                n.error().code(), n.error().getMessage()));
      }
    }
    return out.toString();
  }

  /** {"nodes":[{...},...]}, the figures of each node, null where it gave none. */
  static Map<String, Object> json(List<NodeStats> nodes) {
    List<Object> rows = new ArrayList<>();
    for (NodeStats n : nodes) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("node", n.nodeId());
      row.put("address", n.member().clientAddress());
      row.put("answered", n.answeredAll() ? "all" : n.answeredNone() ? "none" : "some");
      row.put("seenUpBy", seenUpBy(nodes, n));
      row.put("seenBy", answering(nodes));
      row.put("uptimeMillis", n.uptime() == null ? null : n.uptime().toMillis());
      row.put("ringVersion", n.ringVersion());
      row.put("partitionsFirst", n.partitionsFirst());
      row.put("copies", n.copies());
      row.put("hints", n.hintCount());
      row.put("oldestHintMillis", n.oldestHint() == null ? null : n.oldestHint().toMillis());
      row.put("transfersRunning", n.transfersRunning());
      row.put("transferBytesDone", n.transferBytesDone());
      row.put("repairPending", n.repairPending());
      row.put("exchangesRunning", n.exchangesRunning());
      row.put("keysRepaired", n.keysRepaired());
      row.put("tombstonesPurged", n.tombstonesPurged());
      row.put("storageFailures", n.storageFailures());
      Map<String, Object> error = null;
      if (n.error() != null) {
        error = new LinkedHashMap<>();
        error.put("code", n.error().code());
        error.put("message", String.valueOf(n.error().getMessage()));
      }
      row.put("error", error);
      rows.add(row);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("nodes", rows);
    return body;
  }

  private static String answer(NodeStats n) {
    return n.answeredAll() ? "yes" : n.answeredNone() ? "NO" : "partly";
  }

  /** How many nodes gave their status: the failure-detector views that "seen up" counts. */
  private static long answering(List<NodeStats> nodes) {
    return nodes.stream().filter(n -> n.status() != null).count();
  }

  /** How many of the nodes that gave their status believe {@code node} is up. */
  private static long seenUpBy(List<NodeStats> nodes, NodeStats node) {
    long count = 0;
    for (NodeStats n : nodes) {
      if (n.status() == null) {
        continue;
      }
      for (NodeStatus.Member m : n.status().members()) {
        if (m.nodeId().equals(node.nodeId()) && m.up()) {
          count++;
        }
      }
    }
    return count;
  }

  private static <T> String cell(T value, Function<T, String> format) {
    return value == null ? "-" : format.apply(value);
  }
}

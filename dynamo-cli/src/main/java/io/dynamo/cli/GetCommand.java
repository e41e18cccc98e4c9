package io.dynamo.cli;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.NodeStatus;
import io.dynamo.client.RequestOptions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Reads a key: every sibling value, then its context.",
      "Several values are siblings (concurrent writes): merge them and put the result with"
          + " --context to replace them all.",
      "--json prints {\"values\":[...],\"context\":\"...\",\"deleted\":BOOL,\"siblings\":N}"
          + " where N is the number of values.",
      "--replica NODE_ID reads only that node's own copy (no quorum, no read repair): the node is"
          + " found in the member list of the node asked; --json then adds \"replica\" and"
          + " \"address\"."
    })
final class GetCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "BUCKET")
  String bucket;

  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  @Option(names = "--r", paramLabel = "R", description = "Read quorum (default: the bucket's).")
  int r;

  @Option(names = "--base64", description = "Print values as base64 instead of UTF-8 text.")
  boolean base64;

  @Option(
      names = "--replica",
      paramLabel = "NODE_ID",
      description = "Read only this node's own copy (e.g. n2), not a quorum.")
  String replica;

  @Override
  int run(DynamoClient client, PrintWriter out) {
    if (replica != null) {
      return runOnReplica(client, out);
    }
    GetResult result =
        client.get(bucket, key.getBytes(StandardCharsets.UTF_8), new RequestOptions(r, 0, null));
    print(result, null, out);
    return ExitCode.OK;
  }

  /** Finds the replica's client address in the member list, then asks it for its own copy. */
  private int runOnReplica(DynamoClient client, PrintWriter out) {
    if (r != 0) {
      throw new DynamoCli.UsageException("--r has no effect with --replica: one copy is read");
    }
    NodeStatus status = firstStatus(client).value();
    NodeStatus.Member member = null;
    List<String> ids = new ArrayList<>();
    for (NodeStatus.Member m : status.members()) {
      ids.add(m.nodeId());
      if (m.nodeId().equals(replica)) {
        member = m;
      }
    }
    if (member == null) {
      throw new DynamoCli.UsageException(
          "--replica: no node '" + replica + "' in the cluster (members, as " + status.nodeId()
              + " sees them: " + String.join(", ", ids) + ")");
    }
    GetResult result;
    try (DynamoClient direct = cli.connect(List.of(member.clientAddress()))) {
      result = direct.localGet(0, bucket, key);
    } catch (ConnectionException e) {
      throw new ConnectionException("replica " + member.nodeId() + ": " + e.getMessage(), e);
    }
    print(result, member, out);
    return ExitCode.OK;
  }

  /** Prints what was read; {@code copyOf} is the node whose own copy it is, null for a quorum. */
  private void print(GetResult result, NodeStatus.Member copyOf, PrintWriter out) {
    List<String> values = new ArrayList<>();
    for (byte[] v : result.values()) {
      values.add(text(v, base64));
    }
    String context = result.context().toString();
    if (json) {
      Map<String, Object> body = new LinkedHashMap<>();
      if (copyOf != null) {
        body.put("replica", copyOf.nodeId());
        body.put("address", copyOf.clientAddress());
      }
      body.put("values", values);
      body.put("context", context);
      body.put("deleted", result.deleted());
      body.put("siblings", values.size());
      out.println(Json.write(body));
      return;
    }
    if (copyOf != null) {
      out.printf(
          "replica %s (%s), its own copy only: no quorum, no read repair%n",
          copyOf.nodeId(), copyOf.clientAddress());
    }
    if (values.isEmpty()) {
      out.println(result.deleted() ? "(deleted)" : "(not found)");
    }
    for (String v : values) {
      out.println(v);
    }
    if (!result.context().isEmpty()) {
      out.println("context: " + context);
    }
    if (values.size() > 1 && copyOf != null) {
      out.println(values.size() + " siblings on this replica");
    } else if (values.size() > 1) {
      out.println(
          values.size() + " siblings (concurrent writes). To resolve, write the merged value with"
              + " this context:");
      out.println("  dynamo put " + bucket + " " + key + " MERGED_VALUE --context " + context);
    }
  }
}

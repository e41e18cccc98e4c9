package io.dynamo.cli;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
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
          + " where N is the number of values."
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

  @Override
  int run(DynamoClient client, PrintWriter out) {
    GetResult result =
        client.get(bucket, key.getBytes(StandardCharsets.UTF_8), new RequestOptions(r, 0, null));
    List<String> values = new ArrayList<>();
    for (byte[] v : result.values()) {
      values.add(text(v, base64));
    }
    String context = result.context().toString();
    if (json) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("values", values);
      body.put("context", context);
      body.put("deleted", result.deleted());
      body.put("siblings", values.size());
      out.println(Json.write(body));
      return ExitCode.OK;
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
    if (values.size() > 1) {
      out.println(
          values.size() + " siblings (concurrent writes). To resolve, write the merged value with"
              + " this context:");
      out.println("  dynamo put " + bucket + " " + key + " MERGED_VALUE --context " + context);
    }
    return ExitCode.OK;
  }
}

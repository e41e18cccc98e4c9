package io.dynamo.cli;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.RequestOptions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = {
      "Deletes a key and prints the context of the deletion.",
      "Without --context the key is read first and every version found is deleted."
    })
final class DeleteCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "BUCKET")
  String bucket;

  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  @Option(
      names = "--context",
      paramLabel = "CONTEXT",
      converter = ContextConverter.class,
      description = "Context from get: the versions to delete.")
  Context context = Context.NONE;

  @Option(names = "--w", paramLabel = "W", description = "Write quorum (default: the bucket's).")
  int w;

  @Override
  int run(DynamoClient client, PrintWriter out) {
    Context result =
        client.delete(
            bucket, key.getBytes(StandardCharsets.UTF_8), context, new RequestOptions(0, w, null));
    // The client writes nothing, and returns no context, when a read finds nothing to delete.
    boolean written = !result.isEmpty();
    if (json) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("deleted", written);
      body.put("context", result.toString());
      out.println(Json.write(body));
    } else if (written) {
      out.println("deleted");
      out.println("context: " + result);
    } else {
      out.println("(not found: nothing to delete)");
    }
    return ExitCode.OK;
  }
}

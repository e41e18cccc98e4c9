package io.dynamo.cli;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.RequestOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "put",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a value and prints the new context.",
      "Without --context the write is blind: it replaces nothing it has not seen, so a concurrent"
          + " version stays as a sibling. Pass the context from get to replace what was read.",
      "Without VALUE the value is read from standard input."
    })
final class PutCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "BUCKET")
  String bucket;

  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  @Parameters(index = "2", paramLabel = "VALUE", arity = "0..1")
  String value;

  @Option(
      names = "--context",
      paramLabel = "CONTEXT",
      converter = ContextConverter.class,
      description = "Context from get: the versions this write replaces.")
  Context context = Context.NONE;

  @Option(names = "--w", paramLabel = "W", description = "Write quorum (default: the bucket's).")
  int w;

  @Option(names = "--base64", description = "VALUE (or standard input) is base64.")
  boolean base64;

  @Override
  int run(DynamoClient client, PrintWriter out) {
    byte[] bytes = value();
    Context written =
        client.put(
            bucket, key.getBytes(StandardCharsets.UTF_8), context, bytes,
            new RequestOptions(0, w, null));
    if (json) {
      out.println(Json.write(Map.of("context", written.toString())));
    } else if (written.isEmpty()) {
      out.println("written beside concurrent siblings; get the key to see and reconcile them");
    } else {
      out.println("context: " + written);
    }
    return ExitCode.OK;
  }

  private byte[] value() {
    byte[] raw;
    if (value != null) {
      raw = value.getBytes(StandardCharsets.UTF_8);
    } else {
      try {
        raw = cli.stdin().readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the value from standard input", e);
      }
    }
    if (!base64) {
      return raw;
    }
    try {
      return Base64.getMimeDecoder().decode(raw);
    } catch (IllegalArgumentException e) {
      throw new DynamoCli.UsageException("--base64: the value is not base64: " + e.getMessage());
    }
  }
}

package io.dynamo.cli;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.DynamoException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A subcommand that talks to the cluster: connects a client, runs, and turns the client's typed
 * errors into a one-line message (or JSON object) on stderr and an exit status.
 */
abstract class ClientCommand implements Callable<Integer> {
  @ParentCommand DynamoCli cli;

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the result (and errors) as JSON.")
  boolean json;

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (DynamoClient client = cli.connect()) {
      return run(client, out);
    } catch (DynamoException e) {
      return Failure.of(e).print(spec.commandLine(), json);
    } finally {
      out.flush();
    }
  }

  /** Runs the command, printing its result to {@code out}; returns the exit status. */
  abstract int run(DynamoClient client, PrintWriter out);

  static String text(byte[] bytes, boolean base64) {
    return base64
        ? Base64.getEncoder().encodeToString(bytes)
        : new String(bytes, StandardCharsets.UTF_8);
  }
}

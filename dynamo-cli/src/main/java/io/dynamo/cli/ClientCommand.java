package io.dynamo.cli;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.DynamoException;
import io.dynamo.client.NodeStatus;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;
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

  /** An answer and the index (in the configured node list) of the node that gave it. */
  record Answer<T>(int node, T value) {}

  /**
   * Asks the configured nodes in turn until one answers: a node that cannot be reached is skipped,
   * any other error is thrown. Throws the last connection error when none answers.
   */
  final <T> Answer<T> firstAnswer(IntFunction<CompletableFuture<T>> call) {
    int nodes = cli.resolveNodes().size();
    ConnectionException last = null;
    for (int i = 0; i < nodes; i++) {
      try {
        return new Answer<>(i, call.apply(i).join());
      } catch (CompletionException e) {
        DynamoException d = failure(e);
        if (d instanceof ConnectionException c) {
          last = c;
          continue;
        }
        throw d;
      }
    }
    throw last;
  }

  /** The status of the first node that answers: itself, and the members as it sees them. */
  final Answer<NodeStatus> firstStatus(DynamoClient client) {
    return firstAnswer(client::statusAsync);
  }

  /** The client's error behind a failed future, as the blocking calls would throw it. */
  static DynamoException failure(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof DynamoException d) {
      return d;
    }
    return new DynamoException("INTERNAL", String.valueOf(cause.getMessage()), cause);
  }

  /** A duration in a short human form: 850ms, 12.3s, 4m05s, 2h03m. */
  static String age(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
  }

  static String text(byte[] bytes, boolean base64) {
    return base64
        ? Base64.getEncoder().encodeToString(bytes)
        : new String(bytes, StandardCharsets.UTF_8);
  }
}

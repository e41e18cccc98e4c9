package io.dynamo.cli;

import io.dynamo.client.DynamoClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code dynamo}: get, put and delete keys, and show a node's status, every node's figures, where a
 * key lives and the hints nodes hold, from the command line. Global options may come before or after the subcommand.
 * Exit statuses are listed in {@link ExitCode}.
 */
@Command(
    name = "dynamo",
    mixinStandardHelpOptions = true,
    versionProvider = DynamoCli.Version.class,
    description = "Reads and writes a Dynamo cluster.",
    subcommands = {
      GetCommand.class, PutCommand.class, DeleteCommand.class, StatusCommand.class,
      RouteCommand.class, HintsCommand.class, RingCommand.class, StageCommands.Join.class,
      StageCommands.Leave.class, StageCommands.Remove.class, StageCommands.MarkDown.class,
      PlanCommand.class, CommitCommand.class, TransfersCommand.class, RepairCommand.class,
      StatsCommand.class, CompletionCommand.class
    },
    footer = {
      "",
      "Nodes: --node, else $DYNAMO_NODE, else the local cluster of scripts/cluster.sh",
      "(its client-addresses file in $DYNAMO_CLUSTER_DIR, default <checkout>/.cluster)",
      "",
      "Exit status: 0 ok, 1 server or internal error, 2 usage, 3 invalid request,",
      "4 quorum unavailable, 5 timeout, 6 no node reachable."
    })
public final class DynamoCli implements Runnable {
  static final String CLUSTER_DIR_PROPERTY = "dynamo.cluster.dir";

  @Spec CommandSpec spec;

  @Option(
      names = "--node",
      split = ",",
      paramLabel = "HOST:PORT",
      scope = ScopeType.INHERIT,
      converter = HostPortConverter.class,
      description = "Node(s) to send requests to; repeat or separate with commas.")
  List<String> nodes = new ArrayList<>();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      scope = ScopeType.INHERIT,
      converter = DurationConverter.class,
      description = "Request deadline, e.g. 500ms, 5s, 1m (default: 10s).")
  Duration timeout = Duration.ofSeconds(10);

  private final Function<String, String> env;
  private final Path defaultClusterDir;
  private final InputStream stdin;

  /** A CLI reading the process environment and the default cluster directory. */
  public DynamoCli() {
    this(System::getenv, defaultClusterDir(), System.in);
  }

  /**
   * A CLI with its environment given: {@code env} looks up variables, {@code clusterDir} is where
   * the local cluster's files are looked for (null: nowhere), {@code stdin} feeds put without a
   * value.
   */
  DynamoCli(Function<String, String> env, Path clusterDir, InputStream stdin) {
    this.env = env;
    this.defaultClusterDir = clusterDir;
    this.stdin = stdin;
  }

  public static void main(String[] args) {
    System.exit(commandLine(new DynamoCli()).execute(args));
  }

  /** The configured command line: error handlers that print one line, not a stack trace. */
  static CommandLine commandLine(DynamoCli cli) {
    CommandLine cl = new CommandLine(cli);
    cl.setParameterExceptionHandler(DynamoCli::onParameterError);
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          boolean json = wantsJson(parseResult.originalArgs());
          if (e instanceof UsageException u) {
            return Failure.usage(u.getMessage()).print(commandLine, json);
          }
          if ("1".equals(cli.env.apply("DYNAMO_CLI_DEBUG"))) {
            e.printStackTrace(commandLine.getErr());
          }
          return Failure.internal(e).print(commandLine, json);
        });
    return cl;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command: get, put, delete, status, stats, route, hints, ring, join, leave,"
            + " remove, mark-down, plan, commit, transfers, repair or completion");
  }

  /** Connects a client to the nodes chosen by --node, $DYNAMO_NODE or the local cluster. */
  DynamoClient connect() {
    return connect(resolveNodes());
  }

  /** Connects a client to {@code addresses} (HOST:PORT), with the --timeout deadline. */
  DynamoClient connect(List<String> addresses) {
    // One request per run: loading the cluster map would cost more than the hop it saves, and
    // --node names the node the operator means.
    DynamoClient.Builder b = DynamoClient.builder().routing(DynamoClient.Routing.SERVER).timeout(timeout);
    for (String node : addresses) {
      b.node(node);
    }
    return b.build();
  }

  List<String> resolveNodes() {
    if (!nodes.isEmpty()) {
      return nodes;
    }
    String fromEnv = env.apply("DYNAMO_NODE");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return parseList(fromEnv, "$DYNAMO_NODE");
    }
    Path dir = clusterDir();
    Path file = dir == null ? null : dir.resolve("client-addresses");
    if (file != null && Files.isRegularFile(file)) {
      try {
        return parseList(Files.readString(file, StandardCharsets.UTF_8), file.toString());
      } catch (IOException e) {
        throw new UsageException("cannot read " + file + ": " + e.getMessage());
      }
    }
    throw new UsageException(
        "no node to talk to: pass --node HOST:PORT, set DYNAMO_NODE, or start a local cluster"
            + " with scripts/cluster.sh start"
            + (file == null ? "" : " (no " + file + ")"));
  }

  private Path clusterDir() {
    String dir = env.apply("DYNAMO_CLUSTER_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    return defaultClusterDir;
  }

  InputStream stdin() {
    return stdin;
  }

  private static List<String> parseList(String text, String source) {
    List<String> out = new ArrayList<>();
    for (String part : text.trim().split("\\s*,\\s*")) {
      if (part.isEmpty()) {
        continue;
      }
      try {
        out.add(HostPortConverter.check(part));
      } catch (IllegalArgumentException e) {
        throw new UsageException(source + ": " + e.getMessage());
      }
    }
    if (out.isEmpty()) {
      throw new UsageException(source + " lists no node");
    }
    return out;
  }

  /**
   * Where scripts/cluster.sh keeps the local cluster: the system property set by scripts/dynamo,
   * else {@code <checkout>/.cluster} when running from {@code <checkout>/dynamo-cli/target}.
   */
  private static Path defaultClusterDir() {
    String property = System.getProperty(CLUSTER_DIR_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    try {
      Path code =
          Path.of(DynamoCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path module = code.getParent() == null ? null : code.getParent().getParent();
      if (module != null && module.getFileName() != null
          && module.getFileName().toString().equals("dynamo-cli") && module.getParent() != null) {
        return module.getParent().resolve(".cluster");
      }
    } catch (URISyntaxException | RuntimeException e) {
      // Not run from a checkout: no default cluster.
    }
    return null;
  }

  static boolean wantsJson(List<String> args) {
    return args.contains("--json");
  }

  private static int onParameterError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    boolean json = wantsJson(List.of(args));
    int code = Failure.usage(e.getMessage()).print(cl, json);
    if (!json) {
      PrintWriter err = cl.getErr();
      err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
      err.flush();
    }
    return code;
  }

  /** A problem with what the user asked for, reported as a usage error (exit 2). */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** The version of the CLI jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = DynamoCli.class.getPackage().getImplementationVersion();
      return new String[] {"dynamo " + (v == null ? "dev" : v)};
    }
  }
}

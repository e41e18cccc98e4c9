package io.dynamo.cli;

import io.dynamo.client.DynamoClient;
import io.dynamo.client.Route;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    description = {
      "Shows where a key lives: its partition, preference list and current write targets.",
      "As the node asked sees it: the preference list (home replicas) with whether that node"
          + " believes each is up, and the nodes a write would go to now. A substitute target"
          + " stands in for a home replica believed down and keeps a hint for it.",
      "Asks the first node that answers.",
      "--json prints {\"node\":ID,\"partition\":P,\"preferenceList\":[{\"id\":ID,\"up\":BOOL},...],"
          + "\"targets\":[{\"id\":ID,\"standsInFor\":ID|null},...]}."
    })
final class RouteCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "BUCKET")
  String bucket;

  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  /** A route and the id of the node whose view it is. */
  private record Seen(String node, Route route) {}

  @Override
  int run(DynamoClient client, PrintWriter out) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    // The status names the answering node: up/down in the route is that node's belief.
    Seen seen =
        firstAnswer(
                i ->
                    client
                        .statusAsync(i)
                        .thenCompose(
                            s ->
                                client
                                    .routeAsync(i, bucket, k)
                                    .thenApply(r -> new Seen(s.nodeId(), r))))
            .value();
    Route r = seen.route();
    if (json) {
      out.println(Json.write(toJson(seen)));
      return ExitCode.OK;
    }
    out.printf("%s/%s: partition %d, as %s sees it%n", bucket, key, r.partition(), seen.node());
    out.printf("preference list (N=%d):%n", r.preferenceList().size());
    for (Route.Node n : r.preferenceList()) {
      out.printf("  %-8s %s%n", n.nodeId(), n.up() ? "up" : "DOWN");
    }
    out.printf("targets (%d):%n", r.targets().size());
    for (Route.Node n : r.targets()) {
      out.printf(
          "  %-8s %s%n",
          n.nodeId(),
          n.standsInFor().isEmpty() ? "home" : "substitute for " + n.standsInFor() + " (holds hints)");
    }
    if (r.targets().size() < r.preferenceList().size()) {
      out.printf(
          "only %d of %d replicas can be written now: too few nodes are believed up%n",
          r.targets().size(), r.preferenceList().size());
    }
    return ExitCode.OK;
  }

  private static Map<String, Object> toJson(Seen seen) {
    Route r = seen.route();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node", seen.node());
    body.put("partition", r.partition());
    List<Object> home = new ArrayList<>();
    for (Route.Node n : r.preferenceList()) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("id", n.nodeId());
      node.put("up", n.up());
      home.add(node);
    }
    body.put("preferenceList", home);
    List<Object> targets = new ArrayList<>();
    for (Route.Node n : r.targets()) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("id", n.nodeId());
      node.put("standsInFor", n.standsInFor().isEmpty() ? null : n.standsInFor());
      targets.add(node);
    }
    body.put("targets", targets);
    return body;
  }
}

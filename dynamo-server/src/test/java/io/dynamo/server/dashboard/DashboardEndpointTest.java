package io.dynamo.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dashboard's HTTP side, over canned admin answers (no browser). */
class DashboardEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private FakeNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void apiAnswersTheNodesViewAsJson() throws Exception {
    node = new FakeNode(true);
    HttpResponse<String> r = get("/api/dashboard");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    Object json = MiniJson.parse(r.body());
    assertThat(MiniJson.at(json, "node")).isEqualTo("n1");
    List<?> members = (List<?>) MiniJson.at(json, "members");
    assertThat(members).hasSize(2);
    assertThat(MiniJson.at(members.get(1), "id")).isEqualTo(FakeNode.HOSTILE);
    assertThat(MiniJson.at(members.get(1), "up")).isEqualTo(false);
    assertThat(MiniJson.at(members.get(1), "hintsPending")).isEqualTo(12.0);
    assertThat(MiniJson.at(json, "ring", "partitions")).isEqualTo(8.0);
    assertThat((List<?>) MiniJson.at(json, "ring", "pending")).element(3).isEqualTo(List.of("n9"));
    assertThat(MiniJson.at(json, "hints")).isEqualTo(
        List.of(Map.of("target", FakeNode.HOSTILE, "count", 12.0, "oldestAgeSeconds", 90.0)));
    assertThat(MiniJson.at(((List<?>) MiniJson.at(json, "transfers")).get(0), "state")).isEqualTo("copying");
    // Totals over owned partitions only: partition 2 is not owned.
    assertThat(MiniJson.at(json, "antiEntropy", "ownedPartitions")).isEqualTo(2.0);
    assertThat(MiniJson.at(json, "antiEntropy", "keysRepaired")).isEqualTo(2.0);
    assertThat(MiniJson.at(json, "antiEntropy", "partitionsFoundDiffering")).isEqualTo(1.0);
    assertThat(MiniJson.at(json, "antiEntropy", "partitionsNeverExchanged")).isEqualTo(1.0);
    assertThat(MiniJson.at(json, "antiEntropy", "oldestFullExchangeSeconds")).isEqualTo(4.0);
    assertThat(MiniJson.at(json, "requests", "ops")).isEqualTo(List.of("delete", "get", "put"));
  }

  @Test
  void aNodeWithoutAntiEntropyStillAnswersWithoutIt() throws Exception {
    node = new FakeNode(false);
    HttpResponse<String> r = get("/api/dashboard");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(MiniJson.parse(r.body())).extracting(j -> MiniJson.at(j, "antiEntropy")).isNull();
  }

  @Test
  void servesThePageAndItsFilesWithAStrictContentSecurityPolicy() throws Exception {
    node = new FakeNode(true);
    for (String path : List.of("/", "/dashboard", "/dashboard/dashboard.js", "/dashboard/dashboard.css")) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Security-Policy")).get().asString()
          .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
    assertThat(get("/").body()).contains("<script src=\"/dashboard/dashboard.js\"");
  }

  @Test
  void unknownPathsAreNotFoundAndWritesAreRefused() throws Exception {
    node = new FakeNode(true);
    assertThat(get("/etc/passwd").statusCode()).isEqualTo(404);
    assertThat(get("/dashboard/../../x").statusCode()).isEqualTo(404);
    assertThat(get("/api/dashboard/more").statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(
        HttpRequest.newBuilder(URI.create(node.url("/api/dashboard")))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(node.url(path))).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

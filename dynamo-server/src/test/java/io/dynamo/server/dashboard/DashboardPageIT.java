package io.dynamo.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page in headless Chromium over canned answers: node ids that are markup stay text, and the
 * parts a healthy cluster leaves empty (a down member, a pending move, a transfer, hints) show.
 */
class DashboardPageIT {
  @TempDir Path dir;

  @Test
  void showsHostileNodeIdsAsTextAndEveryPartOfTheView() throws Exception {
    assumeTrue(HeadlessChromium.available(), "no " + HeadlessChromium.BINARY + " (apt-get install chromium)");
    try (FakeNode node = new FakeNode(true);
        HeadlessChromium chromium = HeadlessChromium.launch(dir);
        HeadlessChromium.Page page = chromium.open(node.url("/"), 1280, 900)) {
      Awaitility.await("the page rendered").atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> "true".equals(page.evaluate("document.body.getAttribute('data-loaded')")));

      String hostileRow = "[...document.querySelectorAll('#members tr')]"
          + ".find(r => r.getAttribute('data-node-id') === " + jsString(FakeNode.HOSTILE) + ")";
      assertThat(page.evaluate(hostileRow + ".getAttribute('data-up')")).isEqualTo("false");
      assertThat(page.evaluate(hostileRow + ".getAttribute('data-state')")).isEqualTo("leaving");
      assertThat(page.evaluate(hostileRow + ".cells[0].textContent")).asString().contains(FakeNode.HOSTILE);
      assertThat(page.evaluate("document.getElementById('pwned') === null && window.pwned === undefined"))
          .isEqualTo(true);
      assertThat(page.evaluate("document.querySelectorAll('img').length")).isEqualTo(0.0);

      assertThat(page.evaluate("document.querySelectorAll('#ring path[data-partition]').length")).isEqualTo(8.0);
      assertThat(page.evaluate("document.querySelector('#ring path[data-partition=\"3\"]').getAttribute('data-pending')"))
          .isEqualTo("true");
      assertThat(page.evaluate("document.getElementById('pending-moves').textContent")).isEqualTo("1");
      assertThat(page.evaluate("document.querySelectorAll('#legend li').length")).isEqualTo(2.0);
      assertThat(page.evaluate("document.querySelector('#transfers tr[data-partition=\"3\"]').getAttribute('data-state')"))
          .isEqualTo("copying");
      assertThat(page.evaluate("document.querySelector('#hints tr[data-target]').getAttribute('data-count')"))
          .isEqualTo("12");
      assertThat(page.evaluate("document.getElementById('anti-entropy').textContent")).asString()
          .contains("keys repaired");
    }
  }

  private static String jsString(String s) {
    return new JsonWriter().value(s).toString();
  }
}

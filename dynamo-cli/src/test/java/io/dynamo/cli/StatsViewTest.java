package io.dynamo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.HintQueue;
import io.dynamo.client.NodeStatus;
import io.dynamo.client.RepairStatus;
import io.dynamo.client.RequestTimeoutException;
import io.dynamo.client.RingLayout;
import io.dynamo.client.TransferStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text table and the stats view over answers built by hand: alignment, units, gaps. */
class StatsViewTest {
  @Test
  void tableAlignsTextLeftAndNumbersRightWithoutTrailingBlanks() {
    String text =
        new Table(List.of(Table.Column.text("node"), Table.Column.number("hints"),
                Table.Column.text("note")))
            .row(List.of("n1", "7", "x"))
            .row(List.of("node-10", "12345", ""))
            .render();
    assertThat(text)
        .isEqualTo(
            "node     hints  note\n"
                + "n1           7  x\n"
                + "node-10  12345\n");
  }

  @Test
  void tableRefusesARowOfTheWrongWidth() {
    Table table = new Table(List.of(Table.Column.text("a"), Table.Column.text("b")));
    assertThatThrownBy(() -> table.row(List.of("only one")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oneRowPerNodeWithHumanUnitsAndDashesForANodeThatDidNotAnswer() {
    // n1 and n2 answered; n1 holds hints for n3, which both believe down; n3 did not answer.
    NodeStats n1 =
        answered("n1", Duration.ofSeconds(245), List.of(new HintQueue("n3", 12, Duration.ofMillis(1500))),
            List.of(transfer("copying", 3 * 1024 * 1024 / 2), transfer("done", 512 * 1024)),
            repair(2, 1, 40, 3), 7, 0);
    NodeStats n2 = answered("n2", Duration.ofMillis(900), List.of(), List.of(), repair(0, 0, 0, 0), 7, 2);
    NodeStats n3 =
        new NodeStats(member("n3", false), null, null, null, null, null,
            new ConnectionException("cannot connect to /127.0.0.1:7102", null));

    String text = StatsView.text(List.of(n1, n2, n3));

    assertThat(text.lines().toList())
        .containsExactly(
            "node  answer  seen up  uptime  ring  first  copies  hints  oldest  xfers  received"
                + "  ae queue  ae run  repaired  purged  storage errs",
            "n1    yes         2/2   4m05s     7     21      64     12    1.5s      1   2.0 MiB"
                + "         2       1        40       3             0",
            "n2    yes         2/2   900ms     7     21      64      0       -      0       0 B"
                + "         0       0         0       0             2",
            "n3    NO          0/2       -     -      -       -      -       -      -         -"
                + "         -       -         -       -             -",
            "n3 (127.0.0.1:7102) did not answer: CONNECTION: cannot connect to /127.0.0.1:7102");
  }

  @Test
  void aNodeThatAnsweredOnlyInPartShowsWhatItGave() {
    NodeStats full = answered("n1", Duration.ofSeconds(3), List.of(), List.of(), repair(0, 0, 0, 0), 4, 0);
    NodeStats part =
        new NodeStats(member("n2", true), full.status(), List.of(), List.of(), null, full.ring(),
            new RequestTimeoutException("no answer in 10s"));

    String text = StatsView.text(List.of(part));

    assertThat(text)
        .containsPattern("(?m)^n2    partly .* 3\\.0s +4 +21 +64 +0 +- +0 +0 B +- +- +- +- +0$")
        .endsWith("n2 (127.0.0.1:7101) answered only in part: TIMEOUT: no answer in 10s\n");
  }

  @Test
  void jsonHasEveryFigureAndNullsForANodeThatDidNotAnswer() {
    NodeStats n1 =
        answered("n1", Duration.ofSeconds(2), List.of(new HintQueue("n2", 3, Duration.ofMillis(40))),
            List.of(transfer("queued", 0)), repair(1, 0, 5, 6), 9, 1);
    NodeStats n3 =
        new NodeStats(member("n3", false), null, null, null, null, null,
            new ConnectionException("refused", null));

    assertThat(Json.write(StatsView.json(List.of(n1, n3))))
        .isEqualTo(
            "{\"nodes\":[{\"node\":\"n1\",\"address\":\"127.0.0.1:7100\",\"answered\":\"all\","
                + "\"seenUpBy\":1,\"seenBy\":1,\"uptimeMillis\":2000,\"ringVersion\":9,"
                + "\"partitionsFirst\":21,\"copies\":64,\"hints\":3,\"oldestHintMillis\":40,"
                + "\"transfersRunning\":1,\"transferBytesDone\":0,\"repairPending\":1,"
                + "\"exchangesRunning\":0,\"keysRepaired\":5,\"tombstonesPurged\":6,"
                + "\"storageFailures\":1,\"error\":null},"
                + "{\"node\":\"n3\",\"address\":\"127.0.0.1:7102\",\"answered\":\"none\","
                + "\"seenUpBy\":0,\"seenBy\":1,\"uptimeMillis\":null,\"ringVersion\":null,"
                + "\"partitionsFirst\":null,\"copies\":null,\"hints\":null,\"oldestHintMillis\":null,"
                + "\"transfersRunning\":null,\"transferBytesDone\":null,\"repairPending\":null,"
                + "\"exchangesRunning\":null,\"keysRepaired\":null,\"tombstonesPurged\":null,"
                + "\"storageFailures\":null,\"error\":{\"code\":\"CONNECTION\",\"message\":\"refused\"}}]}");
  }

  // ---- answers built by hand ------------------------------------------------------------------

  /** Members n1..n3 on ports 7100..; every node's status sees n1 and n2 up and n3 down. */
  private static NodeStats answered(
      String id, Duration uptime, List<HintQueue> hints, List<TransferStatus> transfers,
      RepairStatus repair, long ringVersion, long storageFailures) {
    List<NodeStatus.Member> members =
        List.of(member("n1", true), member("n2", true), member("n3", false));
    NodeStatus status =
        new NodeStatus(id, "test", 64, 3, 2, 2, uptime, members, storageFailures, "");
    RingLayout ring = new RingLayout(ringVersion, "n1", 3, List.of(), List.of(), List.of());
    return new NodeStats(member(id, true), status, hints, transfers, repair, ring, null);
  }

  private static NodeStatus.Member member(String id, boolean up) {
    int port = 7099 + Integer.parseInt(id.substring(1));
    return new NodeStatus.Member(
        id, "127.0.0.1:" + port, "127.0.0.1:" + (port + 100), 1, "", 21, up, up ? 0.1 : 9.0,
        "valid", 64);
  }

  private static TransferStatus transfer(String state, long bytesDone) {
    return new TransferStatus(5, "n2", "n1", state, bytesDone, 4L << 20, 10, 100.0, "");
  }

  /** Keys repaired and tombstones purged spread over two partitions, to check the sums. */
  private static RepairStatus repair(int pending, long running, long repaired, long purged) {
    return new RepairStatus(
        "n", 7, pending, running, 0,
        List.of(partition(1, repaired / 2, purged / 2),
            partition(2, repaired - repaired / 2, purged - purged / 2)));
  }

  private static RepairStatus.Partition partition(int p, long repaired, long purged) {
    return new RepairStatus.Partition(p, 0, true, -1, 1, 10, repaired, 0, 0, purged, false, true);
  }
}

package io.dynamo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchOptionsTest {
  @Test
  void withoutRateTheSettingsAreTheClosedLoopsAsBefore() {
    BenchOptions o = parse("--nodes", "127.0.0.1:1");
    assertThat(o.validate()).isNull();
    assertThat(o.openLoop()).isFalse();
    assertThat(o.settings().keySet())
        .containsExactly("nodes", "clients", "duration_s", "warmup_s", "read_ratio", "value_size",
            "keys", "key_distribution", "bucket", "r", "w", "io_threads", "seed", "routing");
  }

  @Test
  void rateMakesPhasesWarmUpMeasureAndEachThen() {
    BenchOptions o = parse("--nodes", "127.0.0.1:1", "--rate", "1000", "--warmup", "5s",
        "--duration", "20s", "--then", "3000:60s", "--then", "500:30s");
    assertThat(o.validate()).isNull();
    List<RatePhase> phases = o.phases();
    assertThat(phases).extracting(RatePhase::label).containsExactly("warmup", "measure", "then1", "then2");
    assertThat(phases).extracting(RatePhase::opsPerSecond).containsExactly(1000.0, 1000.0, 3000.0, 500.0);
    assertThat(phases.get(2).duration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.settings()).containsEntry("rate", 1000.0).containsEntry("max_in_flight", 10000)
        .containsEntry("then", "3000:60s,500:30s").containsKey("load_clients").doesNotContainKey("clients");
  }

  @Test
  void badOpenLoopOptionsAreNamed() {
    assertThat(parse("--nodes", "a:1", "--then", "10:1s").validate()).contains("--then needs --rate");
    assertThat(parse("--nodes", "a:1", "--rate", "10", "--then", "10").validate()).startsWith("--then:");
    assertThat(parse("--nodes", "a:1", "--rate", "-1").validate()).contains("--rate");
    assertThat(parse("--nodes", "a:1", "--rate", "10", "--max-in-flight", "0").validate())
        .contains("--max-in-flight");
    assertThat(parse("--nodes", "a:1", "--timeline", "/tmp/x", "--progress", "0").validate())
        .contains("--timeline needs --progress");
  }

  private static BenchOptions parse(String... args) {
    BenchOptions o = new BenchOptions();
    new CommandLine(o).parseArgs(args);
    return o;
  }
}

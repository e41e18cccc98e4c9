package io.dynamo.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.client.RequestOptions;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DynamoYcsbSettingsTest {
  @Test
  void onlyTheNodesAreRequired() {
    DynamoYcsbSettings s = DynamoYcsbSettings.from(props("dynamo.nodes", "127.0.0.1:7100"));
    assertThat(s.nodes()).containsExactly("127.0.0.1:7100");
    assertThat(s.bucket()).isNull();
    assertThat(s.bucketFor("usertable")).isEqualTo("usertable");
    assertThat(s.requestOptions()).isEqualTo(RequestOptions.DEFAULT);
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.ioThreads()).isEqualTo(2);
  }

  @Test
  void everySettingIsRead() {
    DynamoYcsbSettings s =
        DynamoYcsbSettings.from(
            props(
                "dynamo.nodes", " a:1, b:2 ,,c:3 ", "dynamo.bucket", "ycsb", "dynamo.r", "1",
                "dynamo.w", "3", "dynamo.timeout", "750ms", "dynamo.io-threads", "4"));
    assertThat(s.nodes()).containsExactly("a:1", "b:2", "c:3");
    assertThat(s.bucketFor("usertable")).isEqualTo("ycsb");
    assertThat(s.requestOptions()).isEqualTo(new RequestOptions(1, 3, null));
    assertThat(s.timeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(s.ioThreads()).isEqualTo(4);
  }

  @Test
  void durationsTakeAUnitOrAreSeconds() {
    assertThat(timeout("5")).isEqualTo(Duration.ofSeconds(5));
    assertThat(timeout("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(timeout("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(timeout("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(timeout("PT0.25S")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void badValuesFailNamingTheirKey() {
    assertThatThrownBy(() -> DynamoYcsbSettings.from(new Properties()))
        .hasMessageStartingWith("dynamo.nodes: required");
    assertThatThrownBy(() -> DynamoYcsbSettings.from(props("dynamo.nodes", " , ")))
        .hasMessageStartingWith("dynamo.nodes");
    assertThatThrownBy(() -> DynamoYcsbSettings.from(props("dynamo.nodes", "localhost")))
        .hasMessageStartingWith("dynamo.nodes: expected host:port");
    assertThatThrownBy(() -> DynamoYcsbSettings.from(props("dynamo.nodes", "h:99999")))
        .hasMessageStartingWith("dynamo.nodes: port out of range");
    assertThatThrownBy(() -> DynamoYcsbSettings.from(props("dynamo.nodes", "h:1", "dynamo.r", "-1")))
        .hasMessageStartingWith("dynamo.r: must be at least 0");
    assertThatThrownBy(() -> DynamoYcsbSettings.from(props("dynamo.nodes", "h:1", "dynamo.w", "two")))
        .hasMessageStartingWith("dynamo.w: expected an integer");
    assertThatThrownBy(() -> timeout("soon")).hasMessageStartingWith("dynamo.timeout: expected a duration");
    assertThatThrownBy(() -> timeout("0s")).hasMessageStartingWith("dynamo.timeout: must be positive");
    assertThatThrownBy(
            () -> DynamoYcsbSettings.from(props("dynamo.nodes", "h:1", "dynamo.io-threads", "0")))
        .hasMessageStartingWith("dynamo.io-threads: must be at least 1");
    assertThatThrownBy(() -> DynamoYcsbSettings.from(props("dynamo.nodes", "h:1", "dynamo.bucket", " ")))
        .hasMessageStartingWith("dynamo.bucket: must not be empty");
  }

  private static Duration timeout(String value) {
    return DynamoYcsbSettings.from(props("dynamo.nodes", "h:1", "dynamo.timeout", value)).timeout();
  }

  static Properties props(String... keysAndValues) {
    Properties p = new Properties();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    return p;
  }
}

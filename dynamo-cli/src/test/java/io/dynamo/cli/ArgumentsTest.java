package io.dynamo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The CLI's pure pieces: JSON text, durations, addresses. */
class ArgumentsTest {
  @Test
  void jsonEscapesStringsAndKeepsFieldOrder() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("values", List.of("a\"b", "back\\slash", "line\nbreak\ttab", "\u0001", "é😀"));
    body.put("deleted", false);
    body.put("siblings", 5);
    body.put("none", null);
    assertThat(Json.write(body))
        .isEqualTo(
            "{\"values\":[\"a\\\"b\",\"back\\\\slash\",\"line\\nbreak\\ttab\","
                + "\"\\u0001\",\"é😀\"],"
                + "\"deleted\":false,\"siblings\":5,\"none\":null}");
  }

  @Test
  void jsonEscapesLoneSurrogates() {
    assertThat(Json.write("x\ud800y")).isEqualTo("\"x\\ud800y\"");
  }

  @Test
  void durationsTakeUnitsOrSeconds() {
    DurationConverter c = new DurationConverter();
    assertThat(c.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(c.convert("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.convert("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.convert("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    for (String bad : Arrays.asList("0", "soon", "-1s", "5x")) {
      assertThatThrownBy(() -> c.convert(bad)).isInstanceOf(TypeConversionException.class);
    }
  }

  @Test
  void addressesNeedHostAndPort() {
    assertThat(HostPortConverter.check(" 127.0.0.1:7100 ")).isEqualTo("127.0.0.1:7100");
    for (String bad : Arrays.asList("127.0.0.1", ":7100", "host:0", "host:70000", "host:x")) {
      assertThatThrownBy(() -> HostPortConverter.check(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}

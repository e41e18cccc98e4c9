package io.dynamo.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
  @Test
  void writesNestedValuesWithCommasInTheRightPlaces() {
    String json = new JsonWriter().beginObject()
        .field("a", 1).field("b", "x").field("c", true)
        .name("d").beginArray().value(1.5).nullValue().beginObject().endObject().endArray()
        .name("e").beginArray().endArray()
        .endObject().toString();

    assertThat(json).isEqualTo("{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":[1.50000,null,{}],\"e\":[]}");
    assertThat(MiniJson.parse(json)).isEqualTo(
        Map.of("a", 1.0, "b", "x", "c", true, "d", java.util.Arrays.asList(1.5, null, Map.of()), "e", List.of()));
  }

  @Test
  void escapesEveryCharacterThatCouldEndTheStringOrAScript() {
    String hostile = "\"</script><img src=x onerror=alert(1)>\\ & \n\t\u0001\u2028";
    String json = new JsonWriter().beginObject().field("id", hostile).endObject().toString();

    assertThat(json).doesNotContain("<", ">", "&", "\n", "\u2028", "\u0001");
    assertThat(MiniJson.at(MiniJson.parse(json), "id")).isEqualTo(hostile);
  }

  @Test
  void writesNonFiniteNumbersAsNull() {
    String json = new JsonWriter().beginArray()
        .value(Double.NaN).value(Double.POSITIVE_INFINITY).value(2.0).endArray().toString();

    assertThat(json).isEqualTo("[null,null,2]");
  }

  @Test
  void refusesToHandOutAnUnfinishedDocument() {
    JsonWriter w = new JsonWriter().beginObject().name("a").beginArray();

    assertThatThrownBy(w::toString).isInstanceOf(IllegalStateException.class);
  }
}

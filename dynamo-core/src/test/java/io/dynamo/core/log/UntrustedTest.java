package io.dynamo.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.NodeId;

import org.junit.jupiter.api.Test;

class UntrustedTest {
  @Test
  void printableAsciiIsKeptAsItIs() {
    String plain = "bucket-1 node n2: ok";
    assertThat(Untrusted.escape(plain)).isSameAs(plain);
  }

  @Test
  void controlCharactersLineBreaksAndNonAsciiAreEscaped() {
    assertThat(Untrusted.escape("a\nWARN forged\r\u001b[31m\u0000\\é\u2028"))
        .isEqualTo("a\\x0aWARN forged\\x0d\\x1b[31m\\x00\\\\\\xe9\\u2028");
    assertThat(Untrusted.escape(new byte[] {'k', 0, (byte) 0xff, '\n'})).isEqualTo("k\\x00\\xff\\x0a");
  }

  @Test
  void longTextIsCutAndSaysHowLongItWas() {
    String escaped = Untrusted.escape("x".repeat(10_000));
    assertThat(escaped).startsWith("x".repeat(Untrusted.MAX_CHARS)).endsWith("...(10000 chars)");
    assertThat(escaped.length()).isLessThan(Untrusted.MAX_CHARS + 32);
    assertThat(Untrusted.escape(new byte[1000])).endsWith("...(1000 bytes)");
  }

  @Test
  void nullIsShownAsNull() {
    assertThat(Untrusted.escape((String) null)).isEqualTo("null");
    assertThat(Untrusted.escape((byte[]) null)).isEqualTo("null");
  }

  @Test
  void aBadNodeIdFromTheNetworkIsReportedEscaped() {
    String forged = "\u001b[2J" + "x".repeat(200) + "\nFAKE";
    assertThatThrownBy(() -> NodeId.of(forged))
        .hasMessageStartingWith("node id must be 1 to 128 characters: '\\x1b[2Jxxx")
        .hasMessageEndingWith("(209 chars)'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContainPattern("[\\x00-\\x1f]"));
  }
}

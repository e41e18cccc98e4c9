package io.dynamo.core.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequestValidatorTest {
  @Test
  void quorumsAreReadAndShownUnsignedAsTheClientSentThem() {
    assertThat(RequestValidator.quorum("r", 0, 2, 3)).isEqualTo(2);
    assertThat(RequestValidator.quorum("r", 3, 2, 3)).isEqualTo(3);
    assertThatThrownBy(() -> RequestValidator.quorum("r", -1, 2, 3))
        .isInstanceOf(RequestException.class)
        .hasMessage("r=4294967295 must be between 1 and n=3");
    assertThatThrownBy(() -> RequestValidator.quorum("w", Integer.MIN_VALUE, 2, 3))
        .hasMessage("w=2147483648 must be between 1 and n=3");
    assertThatThrownBy(() -> RequestValidator.quorum("w", 4, 2, 3)).hasMessage("w=4 must be between 1 and n=3");
  }

  @Test
  void aBadBucketNameIsEchoedEscaped() {
    assertThatThrownBy(() -> RequestValidator.bucket(BucketTable.of(BucketProperties.DEFAULT), "a\nb\u001b"))
        .hasMessageContaining("'a\\x0ab\\x1b'");
  }
}

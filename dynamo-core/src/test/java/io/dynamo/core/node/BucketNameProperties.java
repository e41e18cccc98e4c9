package io.dynamo.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The bucket name check, written out by hand for speed, accepts exactly what its rule says. */
class BucketNameProperties {
  private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");

  @Property(tries = 2000)
  void agreesWithTheRule(@ForAll("names") String name) {
    assertThat(BucketTable.isValidName(name)).isEqualTo(RULE.matcher(name).matches());
  }

  @Example
  void edges() {
    assertThat(BucketTable.isValidName("")).isFalse();
    assertThat(BucketTable.isValidName("a".repeat(64))).isTrue();
    assertThat(BucketTable.isValidName("a".repeat(65))).isFalse();
    assertThat(BucketTable.isValidName("Az09_-")).isTrue();
    assertThat(BucketTable.isValidName("a b")).isFalse();
    assertThat(BucketTable.isValidName("caf\u00e9")).isFalse();
  }

  @Provide
  Arbitrary<String> names() {
    // Mostly valid characters, some others (space, dot, slash, non-ASCII), lengths around 64.
    return Arbitraries.strings()
        .withChars("abcXYZ019_-")
        .withChars(" ./:\u00e9\u0000\u2603")
        .ofMinLength(0)
        .ofMaxLength(70);
  }
}

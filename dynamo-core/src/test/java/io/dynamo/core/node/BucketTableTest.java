package io.dynamo.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.cluster.BucketDefaults;
import io.dynamo.core.version.ConflictMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BucketTableTest {
  private final BucketProperties fileDefaults =
      new BucketProperties(3, 2, 2, ConflictMode.SIBLINGS, 4096);
  private final BucketProperties cache = new BucketProperties(1, 1, 1, ConflictMode.LAST_WRITE_WINS, 100);
  private final BucketTable table = new BucketTable(fileDefaults, Map.of("cache", cache));

  @Test
  void bucketsWithoutTheirOwnSettingsTakeTheClustersQuorumsAndTheNodesLimits() {
    BucketDefaults cluster = new BucketDefaults(5, 3, 4, ConflictMode.LAST_WRITE_WINS);
    BucketProperties p = table.propertiesOf("other", cluster);
    assertThat(p.n()).isEqualTo(5);
    assertThat(p.r()).isEqualTo(3);
    assertThat(p.w()).isEqualTo(4);
    assertThat(p.conflictMode()).isEqualTo(ConflictMode.LAST_WRITE_WINS);
    assertThat(p.maxValueBytes()).as("node-local").isEqualTo(4096);
    assertThat(p.keyLimits()).isEqualTo(fileDefaults.keyLimits());
  }

  @Test
  void aBucketTheFileConfiguresKeepsItsOwnAndNoClusterDefaultsMeansTheFile() {
    BucketDefaults cluster = new BucketDefaults(5, 3, 4, ConflictMode.SIBLINGS);
    assertThat(table.propertiesOf("cache", cluster)).isSameAs(cache);
    assertThat(table.propertiesOf("other", null)).isSameAs(fileDefaults);
    assertThat(table.propertiesOf("other", BucketDefaults.DEFAULT)).isSameAs(fileDefaults);
  }
}

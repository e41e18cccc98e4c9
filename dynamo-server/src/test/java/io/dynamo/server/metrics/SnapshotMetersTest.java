package io.dynamo.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class SnapshotMetersTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final SnapshotMeters meters = new SnapshotMeters(registry);

  @Test
  void eachRefreshSetsTheValuesAndRemovesSeriesItDidNotSet() {
    meters.gauge("g", "a gauge", Tags.of("peer", "n2"), 1);
    meters.gauge("g", "a gauge", Tags.of("peer", "n3"), 2);
    meters.counter("c", "a counter", Tags.of("peer", "n2"), 5);
    meters.endRefresh();
    assertThat(registry.get("g").tag("peer", "n3").gauge().value()).isEqualTo(2);
    assertThat(registry.get("c").tag("peer", "n2").functionCounter().count()).isEqualTo(5);

    meters.gauge("g", "a gauge", Tags.of("peer", "n2"), 7);
    meters.counter("c", "a counter", Tags.of("peer", "n2"), 6);
    meters.endRefresh();
    assertThat(registry.get("g").tag("peer", "n2").gauge().value()).isEqualTo(7);
    assertThat(registry.get("c").tag("peer", "n2").functionCounter().count()).isEqualTo(6);
    assertThat(registry.find("g").tag("peer", "n3").gauge()).as("n3 left the cluster").isNull();
  }
}

package io.dynamo.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.storage.InMemoryStorageEngine;
import io.dynamo.core.storage.Keyspace;
import io.dynamo.core.storage.WriteBatch;
import org.junit.jupiter.api.Test;

class ClusterStateStoreTest {
  final InMemoryStorageEngine engine = new InMemoryStorageEngine();
  final ClusterStateStore store = new ClusterStateStore(engine);

  @Test
  void loadsWhatWasSaved() {
    assertThat(store.load()).isEmpty();
    ClusterState state = new ClusterStates(3, true).state()
        .with(new ClusterStates(4, true).ring(2, 1));
    store.save(state);
    assertThat(store.load()).contains(state);
    ClusterState next = state.with(GossipSimulation.entry(9));
    store.save(next);
    assertThat(new ClusterStateStore(engine).load()).contains(next);
  }

  @Test
  void aCorruptedRowIsReported() {
    store.save(new ClusterStates(5, true).state().with(GossipSimulation.entry(1)));
    byte[] row = engine.get(Keyspace.META, ClusterStateStore.KEY);
    row[row.length / 2] ^= 1;
    engine.write(new WriteBatch().put(Keyspace.META, ClusterStateStore.KEY, row));
    assertThatThrownBy(store::load)
        .isInstanceOf(MalformedClusterStateException.class)
        .hasMessageContaining("checksum");
    engine.write(new WriteBatch().put(Keyspace.META, ClusterStateStore.KEY, new byte[] {9}));
    assertThatThrownBy(store::load).isInstanceOf(MalformedClusterStateException.class);
  }
}

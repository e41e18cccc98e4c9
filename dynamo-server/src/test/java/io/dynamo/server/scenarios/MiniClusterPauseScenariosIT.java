package io.dynamo.server.scenarios;

import io.dynamo.server.MiniClusterDriver;
import io.dynamo.testkit.PauseScenarios;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;

/** {@link PauseScenarios} on real nodes in one JVM. */
class MiniClusterPauseScenariosIT extends PauseScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return MiniClusterDriver.start(spec);
  }
}

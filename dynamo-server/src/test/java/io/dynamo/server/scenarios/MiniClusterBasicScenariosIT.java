package io.dynamo.server.scenarios;

import io.dynamo.server.MiniClusterDriver;
import io.dynamo.testkit.BasicScenarios;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;

/** {@link BasicScenarios} on real nodes in one JVM. */
class MiniClusterBasicScenariosIT extends BasicScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return MiniClusterDriver.start(spec);
  }
}

package io.dynamo.server.scenarios;

import io.dynamo.server.MiniClusterDriver;
import io.dynamo.testkit.FailurePathScenarios;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;

/** {@link FailurePathScenarios} on real nodes in one JVM. */
class MiniClusterFailurePathScenariosIT extends FailurePathScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return MiniClusterDriver.start(spec);
  }
}

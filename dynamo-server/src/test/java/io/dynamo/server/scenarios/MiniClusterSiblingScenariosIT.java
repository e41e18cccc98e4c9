package io.dynamo.server.scenarios;

import io.dynamo.server.MiniClusterDriver;
import io.dynamo.testkit.SiblingScenarios;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;

/** {@link SiblingScenarios} on real nodes in one JVM. */
class MiniClusterSiblingScenariosIT extends SiblingScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return MiniClusterDriver.start(spec);
  }
}

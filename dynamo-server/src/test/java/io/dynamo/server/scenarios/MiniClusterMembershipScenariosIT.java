package io.dynamo.server.scenarios;

import io.dynamo.server.MiniClusterDriver;
import io.dynamo.testkit.MembershipScenarios;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;

/** {@link MembershipScenarios} on real nodes in one JVM. */
class MiniClusterMembershipScenariosIT extends MembershipScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return MiniClusterDriver.start(spec);
  }
}

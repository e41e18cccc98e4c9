package io.dynamo.core.sim.scenarios;

import io.dynamo.core.sim.SimulatorDriver;
import io.dynamo.testkit.MembershipScenarios;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;

/** {@link MembershipScenarios} on the simulator (seed from {@code -Dsim.seed}, default 1). */
class SimulatedMembershipScenariosTest extends MembershipScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return SimulatorDriver.start(spec, SimulatorDriver.seed());
  }
}

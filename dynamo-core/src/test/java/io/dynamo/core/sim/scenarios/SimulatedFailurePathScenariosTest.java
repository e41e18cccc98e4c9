package io.dynamo.core.sim.scenarios;

import io.dynamo.core.sim.SimulatorDriver;
import io.dynamo.testkit.FailurePathScenarios;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;

/** {@link FailurePathScenarios} on the simulator (seed from {@code -Dsim.seed}, default 1). */
class SimulatedFailurePathScenariosTest extends FailurePathScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return SimulatorDriver.start(spec, SimulatorDriver.seed());
  }
}

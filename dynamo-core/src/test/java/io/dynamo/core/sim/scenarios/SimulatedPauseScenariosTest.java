package io.dynamo.core.sim.scenarios;

import io.dynamo.core.sim.SimulatorDriver;
import io.dynamo.testkit.PauseScenarios;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;

/** {@link PauseScenarios} on the simulator (seed from {@code -Dsim.seed}, default 1). */
class SimulatedPauseScenariosTest extends PauseScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return SimulatorDriver.start(spec, SimulatorDriver.seed());
  }
}

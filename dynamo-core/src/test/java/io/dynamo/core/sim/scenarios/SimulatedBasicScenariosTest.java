package io.dynamo.core.sim.scenarios;

import io.dynamo.core.sim.SimulatorDriver;
import io.dynamo.testkit.BasicScenarios;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;

/** {@link BasicScenarios} on the simulator (seed from {@code -Dsim.seed}, default 1). */
class SimulatedBasicScenariosTest extends BasicScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return SimulatorDriver.start(spec, SimulatorDriver.seed());
  }
}

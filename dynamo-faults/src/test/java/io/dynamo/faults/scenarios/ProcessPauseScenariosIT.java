package io.dynamo.faults.scenarios;

import io.dynamo.faults.ProcessClusterDriver;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;
import io.dynamo.testkit.PauseScenarios;

/** {@link PauseScenarios} on real node processes: the pause is a SIGSTOP. */
class ProcessPauseScenariosIT extends PauseScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return ProcessClusterDriver.start(spec);
  }
}

package io.dynamo.faults.scenarios;

import io.dynamo.faults.ProcessClusterDriver;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;
import io.dynamo.testkit.BasicScenarios;

/** {@link BasicScenarios} on real node processes. */
class ProcessBasicScenariosIT extends BasicScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return ProcessClusterDriver.start(spec);
  }
}

package io.dynamo.faults.scenarios;

import io.dynamo.faults.ProcessClusterDriver;
import io.dynamo.testkit.ClusterDriver;
import io.dynamo.testkit.ClusterSpec;
import io.dynamo.testkit.FailurePathScenarios;

/** {@link FailurePathScenarios} on real node processes: the kill is a {@code kill -9}. */
class ProcessFailurePathScenariosIT extends FailurePathScenarios {
  @Override
  protected ClusterDriver newDriver(ClusterSpec spec) {
    return ProcessClusterDriver.start(spec);
  }
}

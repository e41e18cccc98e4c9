#!/usr/bin/env bash
# The multi-process fault tier, long versions: real node processes killed (kill -9), paused and
# restarted by scripts/cluster.sh. See docs/testing.md and docs/performance.md ("Failure path").
#
#   scripts/faults.sh soak [--cycles N]      DurabilityIT with N kill-everything cycles (default 20)
#                                            plus the other fault ITs
#   scripts/faults.sh handoff [--hints N] [--set KEY=VALUE]...
#                                            kill -9 n1 of 5 nodes, queue N hints for it (default
#                                            10000), restart it, time until every hint is delivered
#   scripts/faults.sh bench [--baseline] [--kill-at S] [--restart-at S] [--warmup S] [--duration S]
#                           [-- load generator options]
#                                            scripts/bench.sh against n1..n4 of 5 nodes while n5 is
#                                            killed at S s (default 15) into the measured window and
#                                            restarted at S s (default 35); --baseline: no fault
#   scripts/faults.sh all                    soak, handoff and bench (with and without the fault)
#
# Builds what it needs with ./mvnw first (the server and load generator jars, this module's test
# classes). Clusters live under dynamo-faults/target/clusters/ (node logs stay there); every node
# is stopped on exit. Environment: MVN_FLAGS (extra flags for ./mvnw, e.g. -o).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck disable=SC2206 # a list of flags
mvn_flags=(-q -B ${MVN_FLAGS:-})

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
  exit 2
}

# Builds the jars and this module's test classes; writes its test classpath to a file.
build() {
  echo "building the jars and dynamo-faults' test classes..." >&2
  rm -f dynamo-faults/target/test-classpath.txt
  ./mvnw "${mvn_flags[@]}" -DskipTests -pl dynamo-faults,dynamo-bench -am package \
    dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
  [[ -s dynamo-faults/target/test-classpath.txt ]] || { echo "faults.sh: build failed" >&2; exit 1; }
}

measure() {
  build
  java -Xmx512m -cp "dynamo-faults/target/test-classes:$(cat dynamo-faults/target/test-classpath.txt)" \
    io.dynamo.faults.FailurePathMeasurements "$@"
}

soak() {
  local cycles=20
  while (($#)); do
    case $1 in
      --cycles) cycles=${2:?--cycles needs a number}; shift 2 ;;
      *) echo "faults.sh soak: unknown option $1" >&2; exit 2 ;;
    esac
  done
  ./mvnw "${mvn_flags[@]}" verify -pl dynamo-faults -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    '-Dit.test=io.dynamo.faults.*IT' -Dfailsafe.failIfNoSpecifiedTests=false -Dfaults.cycles="$cycles"
  echo "soak passed: $cycles kill-everything cycles, pause and kill scenarios"
}

(($#)) || usage
command=$1
shift
case $command in
  soak) soak "$@" ;;
  handoff) measure handoff "$@" ;;
  bench) measure bench "$@" ;;
  all)
    soak
    measure handoff
    measure bench --baseline
    measure bench
    ;;
  -h | --help | help) usage ;;
  *) echo "faults.sh: unknown command $command" >&2; usage ;;
esac

#!/usr/bin/env bash
# Runs the JMH microbenchmarks in dynamo-bench (package io.dynamo.bench.jmh): the version codec,
# sibling reconciliation and partitioning, the pure pieces on a request's hot path.
#
#   scripts/jmh.sh [PATTERN] [JMH options]
#
# PATTERN is a regular expression over benchmark names (default: all of them), e.g.
# VersionCodec, Reconciliation.merge, Partitioning. Defaults are short, for a small shared
# machine: -f 1 -wi 3 -i 5 -w 1s -r 1s (1 fork, 3 warm-up and 5 measured iterations of 1 s each);
# any of them given on the command line replaces the default. Every other JMH option passes
# through: -p members=16 (a parameter), -prof gc (allocation), -rf json -rff out.json (results
# file), -l (list the benchmarks), -h (JMH's help). Missing jars are built first.
#
#   scripts/jmh.sh VersionCodec -wi 1 -i 1
#   scripts/jmh.sh Reconciliation -prof gc
#   scripts/jmh.sh Partitioning -f 3 -i 10 -p members=16
#
# Environment: JMH_JAVA_OPTS (JVM options of the JMH runner; the forks take -jvmArgs).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_jar=$root/dynamo-bench/target/dynamo-bench.jar

case ${1:-} in
  --help)
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
    exit 0
    ;;
esac

if [[ ! -f $bench_jar ]] || ! grep -aqF META-INF/BenchmarkList "$bench_jar"; then
  echo "building $bench_jar..." >&2
  mvn=mvn
  [[ -x $root/mvnw ]] && mvn=$root/mvnw
  (cd "$root" && "$mvn" -q -B -DskipTests package -pl dynamo-bench -am)
  grep -aqF META-INF/BenchmarkList "$bench_jar" || {
    echo "jmh.sh: the build did not produce $bench_jar with the benchmarks" >&2
    exit 1
  }
fi

# Whether the arguments set JMH option $1, as "-f 2" or "-f2".
given() {
  local flag=$1 arg
  shift
  for arg in "$@"; do
    if [[ $arg == "$flag" || $arg =~ ^$flag[0-9] ]]; then
      return 0
    fi
  done
  return 1
}

defaults=()
for kv in "-f 1" "-wi 3" "-i 5" "-w 1s" "-r 1s"; do
  read -r flag value <<<"$kv"
  if ! given "$flag" "$@"; then
    defaults+=("$flag" "$value")
  fi
done

# shellcheck disable=SC2086 # JMH_JAVA_OPTS is a list of words
exec java ${JMH_JAVA_OPTS:-} -cp "$bench_jar" org.openjdk.jmh.Main "${defaults[@]}" "$@"

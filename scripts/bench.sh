#!/usr/bin/env bash
# Runs the load generator (dynamo-bench) against a Dynamo cluster and prints its report.
#
#   scripts/bench.sh [--quick] [--nodes HOST:PORT,...] [load generator options]
#
# With --nodes, measures that cluster. Without, starts a local 3-node cluster in a temporary
# directory with scripts/cluster.sh and stops it when done. --quick is a short smoke run
# (2 s warm-up, 10 s measured, 10,000 keys); options after it still win. Every other option goes
# to the load generator: scripts/bench.sh --help lists them. Missing jars are built first.
#
#   scripts/bench.sh --quick
#   scripts/bench.sh --clients 32 --duration 60s --read-ratio 0.5 --value-size 1024 --r 2 --w 2
#   scripts/bench.sh --nodes 10.0.0.1:7100,10.0.0.2:7100,10.0.0.3:7100 --json
#   scripts/bench.sh --quick --rate 2000 --then 6000:20s   # open loop, see docs/overload-tools.md
#
# --cpu (only with a cluster this script starts, and the table report) also prints the CPU time
# all node processes together used in the measured window, and per operation (from /proc).
#
# Environment: BENCH_JAVA_OPTS (JVM options of the generator), DYNAMO_CLUSTER_SH (another
# cluster script with the same interface as scripts/cluster.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster_sh=${DYNAMO_CLUSTER_SH:-$root/scripts/cluster.sh}
bench_jar=$root/dynamo-bench/target/dynamo-bench.jar
server_jar=$root/dynamo-server/target/dynamo-server.jar

nodes=""
help=false
cpu=false
defaults=()
args=()
while (($#)); do
  case $1 in
    --nodes) nodes=${2:?--nodes needs HOST:PORT,...}; shift 2 ;;
    --nodes=*) nodes=${1#--nodes=}; shift ;;
    --quick) defaults=(--warmup 2s --duration 10s --keys 10000 --progress 2s); shift ;;
    --cpu) cpu=true; shift ;;
    -h|--help) help=true; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

build() {
  echo "building jars..." >&2
  if [[ -x $root/mvnw ]]; then
    (cd "$root" && ./mvnw -q -B -DskipTests package)
  else
    (cd "$root" && mvn -q -B -DskipTests package)
  fi
}

if [[ ! -f $bench_jar || ( -z $nodes && ! $help && ! -f $server_jar ) ]]; then
  build
fi

if $help; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exec java -jar "$bench_jar" --help
fi

if [[ -z $nodes ]]; then
  [[ -x $cluster_sh ]] || { echo "bench.sh: $cluster_sh not found; pass --nodes" >&2; exit 2; }
  dir=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-bench.XXXXXX")
  cleanup() {
    "$cluster_sh" stop --dir "$dir" >&2 || echo "bench.sh: stopping the cluster in $dir failed" >&2
    rm -rf "$dir"
  }
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  echo "starting a local 3-node cluster in $dir..." >&2
  "$cluster_sh" start --nodes 3 --dir "$dir" >&2
  nodes=$("$cluster_sh" addresses --dir "$dir")
fi

if ! $cpu; then
  # Not exec: the EXIT trap must still stop the cluster afterwards.
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of words
  java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" ${nodes:+--nodes "$nodes"} "${defaults[@]}" "${args[@]}"
  exit $?
fi

[[ -n ${dir:-} ]] || { echo "bench.sh: --cpu needs a cluster this script starts (no --nodes)" >&2; exit 2; }
pids=$("$cluster_sh" status --dir "$dir" | awk '{ print $2 }')
# utime + stime of every node process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
  local sum=0 pid f
  for pid in $pids; do
    read -r -a f < <(sed 's/^.*) //' "/proc/$pid/stat")
    sum=$((sum + f[11] + f[12]))
  done
  echo "$sum"
}
marks=$dir/cpu-marks
report=$dir/report
# Progress lines arrive once per --progress interval: the last "warmup" line closes the warm-up,
# the last "measure" line the measured window.
watch_progress() {
  local line
  while IFS= read -r line; do
    printf '%s\n' "$line" >&2
    case $line in
      "[warmup"*) echo "start $(cpu_ticks)" >>"$marks" ;;
      "[measure"*) echo "end $(cpu_ticks)" >>"$marks" ;;
    esac
  done
}
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of words
java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" --nodes "$nodes" --progress 1s "${defaults[@]}" "${args[@]}" \
  2> >(watch_progress) | tee "$report"
status=${PIPESTATUS[0]}
wait
start=$(awk '$1 == "start" { v = $2 } END { print v }' "$marks" 2>/dev/null)
end=$(awk '$1 == "end" { v = $2 } END { print v }' "$marks" 2>/dev/null)
ops=$(awk '$1 == "total" { print $2 }' "$report")
if [[ -n $start && -n $end && -n $ops && $ops -gt 0 ]]; then
  hz=$(getconf CLK_TCK)
  awk -v s="$start" -v e="$end" -v hz="$hz" -v ops="$ops" -v n="$(wc -w <<<"$pids")" 'BEGIN {
    cpu = (e - s) / hz
    printf "node cpu: %.1f s in the measured window (%d node processes), %.1f us per operation\n", cpu, n, cpu * 1e6 / ops
  }'
else
  echo "bench.sh: could not measure node CPU (no progress lines or no total row)" >&2
fi
exit "$status"

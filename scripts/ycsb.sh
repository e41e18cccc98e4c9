#!/usr/bin/env bash
# Runs a YCSB core workload against a Dynamo cluster through the binding in dynamo-bench
# (io.dynamo.bench.ycsb.DynamoYcsbClient) and prints YCSB's summary. docs/ycsb.md explains it.
#
#   scripts/ycsb.sh WORKLOAD [options]
#
# WORKLOAD is a, b, c or f (dynamo-bench/workloads/workload<letter>), or the path of a YCSB
# property file. Without --nodes, starts a local cluster in a temporary directory with
# scripts/cluster.sh and stops it when done. Loads the records (YCSB -load), runs a warm-up whose
# output is discarded, then the measured run (YCSB -t), and prints its summary on stdout.
#
#   --nodes HOST:PORT,...   use that cluster instead of starting one
#   --local-nodes K         nodes of the local cluster (default 3; with fewer than 3, buckets get
#                           N=K and R=W=min(2,K), so 1 node is N=R=W=1)
#   --threads T             YCSB client threads (default 16)
#   --records N             records loaded and addressed (default: the workload file's, 100000)
#   --operations N          end the measured run after N operations (default: --duration only)
#   --warmup DURATION       run this long first, output discarded, e.g. 180s (default 0)
#   --duration DURATION     length of the measured run (YCSB maxexecutiontime; default 60s)
#   --no-load               skip the load phase (the records were loaded before)
#   -p KEY=VALUE            a YCSB or binding property for every phase, after the others so it
#                           wins (repeatable): -p dynamo.r=1 -p requestdistribution=uniform
#   --quick                 a smoke run: 3000 records, 2s warm-up, 10s measured; other options
#                           still win whatever their order
#   -h, --help              this help
#
# DURATION is whole seconds: 90, 90s, 5m, 1h. Missing jars are built first.
#
#   scripts/ycsb.sh a --quick
#   scripts/ycsb.sh c --local-nodes 1 --threads 8 --duration 30s
#   scripts/ycsb.sh b --nodes 10.0.0.1:7100,10.0.0.2:7100,10.0.0.3:7100 --warmup 180s --duration 10m
#
# Environment: YCSB_JAVA_OPTS (JVM options of YCSB), DYNAMO_CLUSTER_SH (another cluster script
# with the interface of scripts/cluster.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster_sh=${DYNAMO_CLUSTER_SH:-$root/scripts/cluster.sh}
bench_jar=$root/dynamo-bench/target/dynamo-bench.jar
server_jar=$root/dynamo-server/target/dynamo-server.jar
binding_class=io/dynamo/bench/ycsb/DynamoYcsbClient.class

die() {
  echo "ycsb.sh: $*" >&2
  exit 2
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

need() {
  [[ $2 -ge 2 ]] || die "$1 needs a value"
}

# Whole seconds of a duration: 90, 90s, 5m, 1h.
seconds() {
  local d=$1
  case $d in
    *[0-9]s) d=${d%s}; [[ $d =~ ^[0-9]+$ ]] && echo "$d" && return ;;
    *[0-9]m) d=${d%m}; [[ $d =~ ^[0-9]+$ ]] && echo $((d * 60)) && return ;;
    *[0-9]h) d=${d%h}; [[ $d =~ ^[0-9]+$ ]] && echo $((d * 3600)) && return ;;
    *) [[ $d =~ ^[0-9]+$ ]] && echo "$d" && return ;;
  esac
  die "expected a duration in whole seconds such as 90s, 5m, 1h: '$1'"
}

positive() {
  [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1: expected a positive integer, got '$2'"
}

# ---- arguments ------------------------------------------------------------------------------

workload=""
nodes=""
local_nodes=""
threads=""
records=""
operations=""
warmup=""
duration=""
load=true
quick=false
props=()
while (($#)); do
  case $1 in
    --nodes) need "$1" $#; nodes=$2; shift 2 ;;
    --nodes=*) nodes=${1#*=}; shift ;;
    --local-nodes) need "$1" $#; local_nodes=$2; shift 2 ;;
    --local-nodes=*) local_nodes=${1#*=}; shift ;;
    --threads) need "$1" $#; threads=$2; shift 2 ;;
    --threads=*) threads=${1#*=}; shift ;;
    --records) need "$1" $#; records=$2; shift 2 ;;
    --records=*) records=${1#*=}; shift ;;
    --operations) need "$1" $#; operations=$2; shift 2 ;;
    --operations=*) operations=${1#*=}; shift ;;
    --warmup) need "$1" $#; warmup=$2; shift 2 ;;
    --warmup=*) warmup=${1#*=}; shift ;;
    --duration) need "$1" $#; duration=$2; shift 2 ;;
    --duration=*) duration=${1#*=}; shift ;;
    --no-load) load=false; shift ;;
    -p) need "$1" $#; props+=("$2"); shift 2 ;;
    -p*) props+=("${1#-p}"); shift ;;
    --quick) quick=true; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option '$1' (scripts/ycsb.sh --help lists them)" ;;
    *) [[ -z $workload ]] || die "one workload only: '$workload' and '$1'"; workload=$1; shift ;;
  esac
done

[[ -n $workload ]] || { usage >&2; exit 2; }
if [[ -f $workload ]]; then
  workload_file=$(realpath -- "$workload")
elif [[ $workload =~ ^(workload)?([a-z])$ && -f $root/dynamo-bench/workloads/workload${BASH_REMATCH[2]} ]]; then
  workload_file=$root/dynamo-bench/workloads/workload${BASH_REMATCH[2]}
else
  die "no workload '$workload': use one of $(cd "$root/dynamo-bench/workloads" && ls | sed 's/^workload//' | paste -sd' ') or a property file"
fi

if $quick; then
  records=${records:-3000}
  warmup=${warmup:-2s}
  duration=${duration:-10s}
fi
threads=${threads:-16}
warmup_s=$(seconds "${warmup:-0}")
duration_s=$(seconds "${duration:-60s}")
positive --threads "$threads"
[[ -z $records ]] || positive --records "$records"
[[ -z $operations ]] || positive --operations "$operations"
((duration_s > 0)) || [[ -n $operations ]] || die "--duration 0 needs --operations to end the run"
for kv in "${props[@]}"; do
  [[ $kv =~ ^[A-Za-z0-9_.-]+=.*$ ]] || die "-p: expected KEY=VALUE, got '$kv'"
done
if [[ -n $nodes ]]; then
  [[ -z $local_nodes ]] || die "--nodes and --local-nodes exclude each other"
else
  local_nodes=${local_nodes:-3}
  positive --local-nodes "$local_nodes"
fi

# The record count YCSB will use: the last -p recordcount/insertcount, --records, or the file's.
expected_records() {
  local n="" kv
  n=$(sed -n 's/^[[:space:]]*recordcount[[:space:]]*[=:][[:space:]]*\([0-9]*\).*/\1/p' "$workload_file" | tail -n 1)
  [[ -z $records ]] || n=$records
  for kv in "${props[@]}"; do
    case $kv in recordcount=* | insertcount=*) n=${kv#*=} ;; esac
  done
  echo "$n"
}

# ---- build ----------------------------------------------------------------------------------

build() {
  echo "building jars..." >&2
  local mvn=mvn
  [[ -x $root/mvnw ]] && mvn=$root/mvnw
  # dynamo-bench -am builds the server too (its tests use the server's MiniCluster).
  (cd "$root" && "$mvn" -q -B -DskipTests package -pl dynamo-bench -am)
}

if [[ ! -f $bench_jar ]] || ! grep -aqF "$binding_class" "$bench_jar" \
    || [[ -z $nodes && ! -f $server_jar ]]; then
  build
  grep -aqF "$binding_class" "$bench_jar" || die "the build did not produce $bench_jar with the binding"
fi

# ---- cluster --------------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-ycsb.XXXXXX")
cluster_dir=""
ycsb_pid=""
cleanup() {
  if [[ -n $ycsb_pid ]] && kill -0 "$ycsb_pid" 2>/dev/null; then
    kill -TERM "$ycsb_pid" 2>/dev/null || true
    wait "$ycsb_pid" 2>/dev/null || true
  fi
  if [[ -n $cluster_dir && -f $cluster_dir/nodes ]]; then
    "$cluster_sh" stop --dir "$cluster_dir" >&2 || echo "ycsb.sh: stopping the cluster in $cluster_dir failed" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z $nodes ]]; then
  [[ -x $cluster_sh ]] || die "$cluster_sh not found; pass --nodes"
  cluster_dir=$work/cluster
  settings=()
  if ((local_nodes < 3)); then
    quorum=$((local_nodes < 2 ? local_nodes : 2))
    settings=(--set "bucket.default.n=$local_nodes" --set "bucket.default.r=$quorum"
      --set "bucket.default.w=$quorum")
  fi
  echo "starting a local $local_nodes-node cluster in $cluster_dir..." >&2
  "$cluster_sh" start --nodes "$local_nodes" --dir "$cluster_dir" "${settings[@]}" >&2
  nodes=$("$cluster_sh" addresses --dir "$cluster_dir")
fi

# ---- YCSB -----------------------------------------------------------------------------------

common=(-db io.dynamo.bench.ycsb.DynamoYcsbClient -P "$workload_file" -threads "$threads"
  -p "dynamo.nodes=$nodes")
[[ -z $records ]] || common+=(-p "recordcount=$records")

# Runs one YCSB phase: stdout (the summary) to $1, stderr to $2 (or the terminal if "-").
ycsb() {
  local out=$1 err=$2 status=0
  shift 2
  local args=("${common[@]}" "$@")
  local p
  for p in "${props[@]}"; do
    args+=(-p "$p")
  done
  # In the background and waited for, so that a signal reaches the trap, which stops YCSB.
  # shellcheck disable=SC2086 # YCSB_JAVA_OPTS is a list of words
  if [[ $err == - ]]; then
    # YCSB's stderr, without a line per thread about error latencies nor, when only the
    # duration bounds the run, a completion estimate computed from the nominal operation count.
    local estimate='s/; est completion in [^[]*/; /'
    [[ -z $operations ]] || estimate=''
    java ${YCSB_JAVA_OPTS:-} -cp "$bench_jar" site.ycsb.Client "${args[@]}" >"$out" \
      2> >(sed -u -e '/^DBWrapper: report latency for each error/d' -e "$estimate" >&2) &
  else
    java ${YCSB_JAVA_OPTS:-} -cp "$bench_jar" site.ycsb.Client "${args[@]}" >"$out" 2>"$err" &
  fi
  ycsb_pid=$!
  wait "$ycsb_pid" || status=$?
  ycsb_pid=""
  return "$status"
}

# Fails unless a phase's summary is complete; shows the phase's output if not.
check_summary() {
  local phase=$1 out=$2 err=${3:-}
  if ! grep -q '^\[OVERALL\], RunTime(ms)' "$out"; then
    echo "ycsb.sh: the $phase phase produced no summary; its output:" >&2
    tail -n 40 "$out" >&2
    [[ -z $err ]] || tail -n 40 "$err" >&2
    exit 1
  fi
}

# Sum of the Return=OK counts of the given operations in a summary.
ok_count() {
  local out=$1 ops=$2
  awk -F', ' -v ops="$ops" '
    BEGIN { n = split(ops, o, " "); for (i = 1; i <= n; i++) want["[" o[i] "]"] = 1 }
    ($1 in want) && $2 == "Return=OK" { sum += $3 }
    END { print sum + 0 }' "$out"
}

# The Return= lines of a summary that are not OK.
failures() {
  grep -E '^\[[A-Z-]+\], Return=' "$1" | grep -v ', Return=OK,' || true
}

# Runs bounded by time only. Not operationcount=0: YCSB 0.17 caps the thread count at the
# operation count, so 0 starts no thread at all.
unbounded=2000000000
name=$(basename "$workload_file")
if $load; then
  expected=$(expected_records)
  echo "loading ${expected:-the} records ($name, $threads threads)..." >&2
  ycsb "$work/load.out" - -load || true
  check_summary load "$work/load.out"
  loaded=$(ok_count "$work/load.out" INSERT)
  grep -E '^\[(OVERALL|INSERT)\], (RunTime|Throughput|Return)' "$work/load.out" | sed 's/^/  load: /' >&2
  if [[ -n $expected && $loaded != "$expected" ]]; then
    echo "ycsb.sh: only $loaded of $expected records were loaded" >&2
    failures "$work/load.out" >&2
    # A binding that failed to start (bad dynamo.* property) leaves its exception here.
    grep -m 1 -E '^[a-zA-Z.]+(Exception|Error): ' "$work/load.out" >&2 || true
    exit 1
  fi
fi

if ((warmup_s > 0)); then
  echo "warming up for ${warmup_s}s (output discarded)..." >&2
  ycsb "$work/warmup.out" "$work/warmup.err" -t -p "operationcount=$unbounded" \
    -p "maxexecutiontime=$warmup_s" || true
  check_summary warm-up "$work/warmup.out" "$work/warmup.err"
fi

run=(-t -s -p "operationcount=${operations:-$unbounded}")
((duration_s == 0)) || run+=(-p "maxexecutiontime=$duration_s")
if ((duration_s > 0)); then
  echo "measuring for ${duration_s}s${operations:+ (at most $operations operations)}..." >&2
else
  echo "measuring $operations operations..." >&2
fi
ycsb "$work/run.out" - "${run[@]}" || true
check_summary run "$work/run.out"

echo "# YCSB $name on $nodes: $threads threads, records ${records:-from the workload file}," \
  "${warmup_s}s warm-up, ${duration_s}s measured${operations:+, at most $operations operations}"
grep -E '^\[' "$work/run.out"

done_ok=$(ok_count "$work/run.out" "READ UPDATE INSERT DELETE SCAN READ-MODIFY-WRITE")
failed=$(failures "$work/run.out")
if [[ -n $failed ]]; then
  echo "ycsb.sh: warning: some operations failed:" >&2
  echo "$failed" >&2
fi
if ((done_ok == 0)); then
  echo "ycsb.sh: no operation succeeded in the measured run" >&2
  exit 1
fi

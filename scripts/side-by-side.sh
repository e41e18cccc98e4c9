#!/usr/bin/env bash
# Compares two builds of Dynamo under the same load, alternating runs in one sitting, and prints
# the median of each figure: throughput, latency percentiles and the CPU time all node processes
# used per operation in the measured window (from /proc). docs/performance.md uses it.
#
#   scripts/side-by-side.sh [--runs R] [--local-nodes K] [--set KEY=VALUE]... [--set-old KEY=VALUE]...
#                           [--set-new KEY=VALUE]... [--old-arg ARG]... [--new-arg ARG]...
#                           OLD NEW -- TOOL ARGS...
#
# OLD and NEW are checkouts, each built (its dynamo-server jar present). Each run starts a fresh
# K-node cluster (default 3) from one checkout's scripts/cluster.sh, drives it with the load tool
# of THIS checkout (the same client for both sides), and stops it; runs alternate OLD, NEW, NEW,
# OLD, OLD, NEW... so that drift in the machine's load falls on both sides. With K < 3, buckets get
# N=K and R=W=min(2,K). Each --set goes to both clusters' node configs, --set-old and --set-new to
# one side only (OLD and NEW may then be the same checkout, to compare two settings). Each
# --old-arg / --new-arg is appended to the tool's arguments on that side only: a build from before
# the cluster map (issue 10) cannot serve a partition-aware client, so it is driven with
# `--old-arg --routing --old-arg server` (bench) or `--old-arg -p --old-arg dynamo.routing=server` (ycsb).
#
# TOOL is one of:
#   bench ARGS...        the load generator (scripts/bench.sh options, without --nodes)
#   ycsb WORKLOAD ARGS...  scripts/ycsb.sh (options without --nodes / --local-nodes)
#
#   scripts/side-by-side.sh /tmp/old . -- bench --clients 32 --read-ratio 0.5 --value-size 1024 --keys 100000
#   scripts/side-by-side.sh --runs 3 /tmp/old . -- ycsb a --threads 16 --warmup 180s --duration 60s
#
# Per-run outputs are kept in $SIDE_BY_SIDE_DIR (default a new temporary directory, printed).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=3
local_nodes=3
sets=()
old_sets=()
new_sets=()
old_args=()
new_args=()
while (($#)); do
  case $1 in
    --runs) runs=${2:?}; shift 2 ;;
    --local-nodes) local_nodes=${2:?}; shift 2 ;;
    --set) sets+=(--set "${2:?}"); shift 2 ;;
    --set-old) old_sets+=(--set "${2:?}"); shift 2 ;;
    --set-new) new_sets+=(--set "${2:?}"); shift 2 ;;
    --old-arg) old_args+=("${2:?}"); shift 2 ;;
    --new-arg) new_args+=("${2:?}"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
(($# >= 3)) || { echo "usage: side-by-side.sh [options] OLD NEW -- TOOL ARGS..." >&2; exit 2; }
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); shift 2
[[ ${1:-} == -- ]] && shift
tool=${1:?TOOL is bench or ycsb}; shift
tool_args=("$@")
case $tool in bench|ycsb) ;; *) echo "side-by-side.sh: unknown tool $tool" >&2; exit 2 ;; esac
for co in "$old" "$new"; do
  [[ -f $co/dynamo-server/target/dynamo-server.jar ]] || { echo "side-by-side.sh: $co is not built" >&2; exit 2; }
done
[[ -f $root/dynamo-bench/target/dynamo-bench.jar ]] || (cd "$root" && ./mvnw -q -B -DskipTests package)

out=${SIDE_BY_SIDE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/side-by-side.XXXXXX")}
mkdir -p "$out"
echo "outputs in $out" >&2
if ((local_nodes < 3)); then
  quorum=$((local_nodes < 2 ? local_nodes : 2))
  sets+=(--set "bucket.default.n=$local_nodes" --set "bucket.default.r=$quorum" --set "bucket.default.w=$quorum")
fi

cpu_ticks() {
  local sum=0 pid f
  for pid in $1; do
    read -r -a f < <(sed 's/^.*) //' "/proc/$pid/stat")
    sum=$((sum + f[11] + f[12]))
  done
  echo "$sum"
}

# One run: start a cluster from checkout $1, load it with the tool, write $2.{out,err,cpu}.
one_run() {
  local co=$1 base=$2 dir pids nodes start="" line side_sets=() side_args=()
  if [[ $base == */old-* ]]; then
    side_sets=("${old_sets[@]}"); side_args=("${old_args[@]}")
  else
    side_sets=("${new_sets[@]}"); side_args=("${new_args[@]}")
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/side-by-side-cluster.XXXXXX")
  "$co/scripts/cluster.sh" start --nodes "$local_nodes" --dir "$dir" "${sets[@]}" "${side_sets[@]}" >/dev/null
  nodes=$("$co/scripts/cluster.sh" addresses --dir "$dir")
  pids=$("$co/scripts/cluster.sh" status --dir "$dir" | awk '{ print $2 }')
  : >"$base.cpu"
  {
    if [[ $tool == bench ]]; then
      java -jar "$root/dynamo-bench/target/dynamo-bench.jar" --nodes "$nodes" --progress 1s "${tool_args[@]}" "${side_args[@]}"
    else
      "$root/scripts/ycsb.sh" "${tool_args[0]}" --nodes "$nodes" "${tool_args[@]:1}" "${side_args[@]}"
    fi
  } >"$base.out" 2> >(while IFS= read -r line; do
        printf '%s\n' "$line" >>"$base.err"
        case $line in
          "[warmup"*|"measuring "*) echo "start $(cpu_ticks "$pids")" >>"$base.cpu" ;;
          "[measure"*) echo "end $(cpu_ticks "$pids")" >>"$base.cpu" ;;
        esac
      done) || echo "side-by-side.sh: the tool failed; see $base.err" >&2
  [[ $tool == bench ]] || echo "end $(cpu_ticks "$pids")" >>"$base.cpu"
  sleep 1 # let the stderr reader finish
  "$co/scripts/cluster.sh" stop --dir "$dir" >/dev/null || true
  rm -rf "$dir"
}

# Figures of one run, as "name=value" words.
figures() {
  local base=$1 hz ops start end
  hz=$(getconf CLK_TCK)
  start=$(awk '$1 == "start" { v = $2 } END { print v }' "$base.cpu")
  end=$(awk '$1 == "end" { v = $2 } END { print v }' "$base.cpu")
  if [[ $tool == bench ]]; then
    awk '$1 == "get" || $1 == "put" || $1 == "total" {
      printf "%s_ops/s=%s %s_p50=%s %s_p99=%s %s_p99.9=%s ", $1, $3, $1, $5, $1, $6, $1, $7
      if ($1 == "total") { ops = $2 } }
      END { printf "ops=%d\n", ops }' "$base.out"
  else
    awk -F', ' '
      $1 == "[OVERALL]" && $2 == "Throughput(ops/sec)" { printf "total_ops/s=%.1f ", $3 }
      $1 ~ /^\[(READ|UPDATE|READ-MODIFY-WRITE|INSERT)\]$/ && $2 == "Operations" { ops += $3 }
      $1 ~ /^\[(READ|UPDATE|READ-MODIFY-WRITE|INSERT)\]$/ && $2 ~ /PercentileLatency\(us\)$/ {
        name = tolower(substr($1, 2, length($1) - 2)); p = $2; sub(/(th)?PercentileLatency\(us\)/, "", p)
        printf "%s_p%s=%.3f ", name, p, $3 / 1000 }
      END { printf "ops=%d\n", ops }' "$base.out"
  fi | awk -v s="$start" -v e="$end" -v hz="$hz" '{
      ops = 0; for (i = 1; i <= NF; i++) if ($i ~ /^ops=/) ops = substr($i, 5)
      cpu = (s != "" && e != "" && ops > 0) ? sprintf("%.1f", (e - s) / hz * 1e6 / ops) : "?"
      print $0 " cpu_us/op=" cpu }'
}

for ((i = 1; i <= runs; i++)); do
  if ((i % 2)); then order=(old new); else order=(new old); fi
  for side in "${order[@]}"; do
    co=$old; [[ $side == new ]] && co=$new
    echo "run $i: $side ($co)..." >&2
    one_run "$co" "$out/$side-$i"
    line=$(figures "$out/$side-$i")
    echo "$side $i $line" | tee -a "$out/summary" >&2
  done
done

# Median of each figure per side.
echo "median of $runs runs ($tool ${tool_args[*]}; $local_nodes nodes):"
for side in old new; do
  awk -v side="$side" '$1 == side {
      for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "ops") continue; keys[kv[1]] = 1; v[kv[1], ++n[kv[1]]] = kv[2] } }
    END {
      printf "%-4s", side
      m = 0; for (k in keys) order[++m] = k
      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (order[b] < order[a]) { t = order[a]; order[a] = order[b]; order[b] = t }
      for (a = 1; a <= m; a++) { k = order[a]; c = n[k]
        for (x = 1; x <= c; x++) s[x] = v[k, x] + 0
        for (x = 1; x <= c; x++) for (y = x + 1; y <= c; y++) if (s[y] < s[x]) { t = s[x]; s[x] = s[y]; s[y] = t }
        printf " %s=%s", k, (c % 2 ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2) }
      printf "\n" }' "$out/summary"
done

#!/usr/bin/env bash
# Anti-entropy runs (issue 9) on a local 3-node cluster with hinted handoff and read repair off, so
# that nothing but anti-entropy moves data between replicas.
#
#   scripts/anti-entropy-run.sh cost [--keys N] [--value-size B] [--differ D] [--dir DIR]
#       Preloads N keys (default 1,000,000), kills n3, overwrites D of them (default 100), restarts
#       n3 and waits for its hash trees; then runs `dynamo repair` (the schedule is off) and prints
#       the bytes the exchanges sent, its time, and the share of a full copy (N x B at least).
#   scripts/anti-entropy-run.sh wipe [--keys N] [--value-size B] [--sweep S] [--dir DIR]
#       Preloads N keys (default 100,000), kills n3, deletes its data directory, starts it again
#       and waits, with no operator action, until `dynamo repair --status` shows every partition's
#       owners agree; prints that time. Sweeps every S (default 60s).
#
#   scripts/anti-entropy-run.sh load [--keys N] [--sweep S] [--duration D] [--runs R] [--dir DIR]
#       The load generator's p99.9 with anti-entropy sweeping every S (default 30s, so that
#       exchanges run all the time; the writes keep trees apart, so they descend and confirm)
#       against anti-entropy off, alternating, R runs of each (default 3) of D (default 60s) each,
#       16 clients, half gets, over N keys (default 100,000) preloaded; prints every run and the
#       medians.
#
# DIR (default a new /tmp/aerun.XXXXXX) keeps the cluster and the outputs: status-*.json, bench.err.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=${1:-}
case "$mode" in cost|wipe|load) shift ;; *) sed -n '2,20p' "$0" >&2; exit 2 ;; esac
keys=""
value_size=1024
differ=100
sweep=""
duration=60s
runs=3
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keys) keys=${2:?}; shift 2 ;;
    --value-size) value_size=${2:?}; shift 2 ;;
    --differ) differ=${2:?}; shift 2 ;;
    --sweep) sweep=${2:?}; shift 2 ;;
    --duration) duration=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --dir) out=${2:?}; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$keys" ]]; then
  if [[ $mode == cost ]]; then keys=1000000; else keys=100000; fi
fi
if [[ -z "$sweep" ]]; then
  if [[ $mode == load ]]; then sweep=30s; else sweep=60s; fi
fi
out=${out:-$(mktemp -d /tmp/aerun.XXXXXX)}
mkdir -p "$out"
cluster=$out/cluster
cluster_sh=$ROOT/scripts/cluster.sh
dynamo() { DYNAMO_CLUSTER_DIR=$cluster "$ROOT/scripts/dynamo" "$@"; }
bench_jar=$ROOT/dynamo-bench/target/dynamo-bench.jar
log() { echo "[$(date +%T)] $*" >&2; }
now_ms() { date +%s%3N; }
[[ -f $bench_jar && -f $ROOT/dynamo-server/target/dynamo-server.jar ]] \
  || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
trap '"$cluster_sh" stop --dir "$cluster" >/dev/null 2>&1 || true' EXIT

if [[ $mode == load ]]; then
  # Alternates a cluster with anti-entropy on and one with it off, each started fresh.
  report=$out/load.txt
  : >"$report"
  for run in $(seq 1 "$runs"); do
    for ae in on off; do
      dir=$out/run-$run-$ae
      sets=(--set anti-entropy.sweep="$sweep")
      [[ $ae == off ]] && sets=(--set anti-entropy.enabled=false)
      log "run $run, anti-entropy $ae: starting 3 nodes in $dir/cluster"
      "$cluster_sh" start --nodes 3 --dir "$dir/cluster" "${sets[@]}" >&2
      addrs=$("$cluster_sh" addresses --dir "$dir/cluster")
      java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" --nodes "$addrs" --clients 16 --read-ratio 0.5 \
        --value-size "$value_size" --keys "$keys" --warmup 10s --duration "$duration" --progress 0 \
        --json >"$dir/bench.json" 2>"$dir/bench.err"
      status=$(DYNAMO_CLUSTER_DIR=$dir/cluster "$ROOT/scripts/dynamo" repair --status --json)
      "$cluster_sh" stop --dir "$dir/cluster" >&2
      python3 - "$ae" "$run" "$dir/bench.json" "$status" >>"$report" <<'PY'
import json, sys
ae, run, path, status = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
b = json.load(open(path))
ops = b["operations"]
ex = sum(n["exchanges"] for n in status["nodes"].values())
sent = sum(n["exchangeBytesSent"] + n["answerBytesSent"] for n in status["nodes"].values())
def p999(op):
    return ops.get(op, {}).get("p999_us", float("nan")) / 1000.0
print(json.dumps({"run": int(run), "antiEntropy": ae, "opsPerSecond": ops["total"]["ops_per_sec"],
                  "getP999": p999("get"), "putP999": p999("put"), "exchanges": ex, "aeBytes": sent}))
PY
      tail -1 "$report" >&2
    done
  done
  python3 - "$report" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for ae in ("on", "off"):
    r = [x for x in rows if x["antiEntropy"] == ae]
    med = lambda k: statistics.median(x[k] for x in r)
    print(f"anti-entropy {ae}: median of {len(r)} runs: {med('opsPerSecond'):.0f} ops/s, get p99.9 "
          f"{med('getP999'):.1f} ms, put p99.9 {med('putP999'):.1f} ms, {med('exchanges'):.0f} exchanges, "
          f"{med('aeBytes'):.0f} anti-entropy bytes")
PY
  exit 0
fi

sets=(--set handoff.enabled=false --set read-repair.enabled=false)
if [[ $mode == cost ]]; then
  sets+=(--set anti-entropy.enabled=false)
else
  sets+=(--set anti-entropy.sweep="$sweep")
fi
log "starting 3 nodes in $cluster (handoff and read repair off; ${sets[*]:4})"
"$cluster_sh" start --nodes 3 --dir "$cluster" "${sets[@]}" >&2
nodes=$("$cluster_sh" addresses --dir "$cluster")

preload() { # KEYS CLIENTS SEED: writes keys 0..KEYS-1 once (the generator's preload), then 1 s of gets
  java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" --nodes "$nodes" --clients "$2" --read-ratio 1 \
    --value-size "$value_size" --keys "$1" --warmup 0s --duration 1s --progress 0 \
    --seed "$3" >>"$out/bench.txt" 2>>"$out/bench.err"
  grep '^loaded in' "$out/bench.err" | tail -1 >&2
}

# Every owned partition's tree built on every node (no "unknown" in repair --status).
wait_trees() {
  local s
  for _ in $(seq 1 600); do
    s=$(dynamo repair --status --json)
    if [[ $(python3 -c 'import json,sys; print(json.load(sys.stdin)["unknown"])' <<<"$s") == 0 ]]; then
      echo "$s"
      return
    fi
    sleep 1
  done
  echo "trees not built after 600 s" >&2
  exit 1
}

field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
total_bytes='sum(n["exchangeBytesSent"]+n["answerBytesSent"] for n in d["nodes"].values())'

log "preloading $keys keys of $value_size bytes"
preload "$keys" 32 1
if [[ $mode == cost ]]; then
  "$cluster_sh" kill n3 --dir "$cluster" >&2
  log "n3 down: overwriting $differ keys"
  preload "$differ" 4 2
  "$cluster_sh" restart n3 --dir "$cluster" >&2
  log "waiting for every node's hash trees"
  before=$(wait_trees)
  echo "$before" >"$out/status-before.json"
  log "before: $(field '"%d partitions differ, %d agree" % (d["differ"], d["agree"])' <<<"$before")"
  b0=$(field "$total_bytes" <<<"$before")
  t0=$(now_ms)
  dynamo repair >"$out/repair.txt"
  t1=$(now_ms)
  after=$(dynamo repair --status --json)
  echo "$after" >"$out/status-after.json"
  b1=$(field "$total_bytes" <<<"$after")
  repaired=$(field 'sum(n["keysRepaired"] for n in d["nodes"].values())' <<<"$after")
  full=$((keys * value_size))
  python3 - "$b0" "$b1" "$t0" "$t1" "$full" "$repaired" "$after" <<'PY'
import json, sys
b0, b1, t0, t1, full, repaired = (int(x) for x in sys.argv[1:7])
after = json.loads(sys.argv[7])
sent = b1 - b0
print(f"repair: {(t1 - t0) / 1000:.1f} s (the CLI's whole run), {sent:,} bytes sent by all nodes' "
      f"exchanges and answers, {repaired} key repairs (counted by each initiator)")
print(f"a full copy of one replica is at least {full:,} bytes: the repair sent "
      f"{100.0 * sent / full:.4f} % of it")
print(f"after: {after['differ']} partitions differ, {after['agree']} agree, {after['unknown']} unknown")
PY
else
  "$cluster_sh" kill n3 --dir "$cluster" >&2
  rm -rf "$cluster/n3/data"
  log "n3 killed and its data directory deleted; starting it again"
  "$cluster_sh" restart n3 --dir "$cluster" >&2
  t0=$(now_ms)
  while true; do
    s=$(dynamo repair --status --json)
    if [[ $(field 'd["differ"] + d["unknown"]' <<<"$s") == 0 ]]; then
      break
    fi
    sleep 2
  done
  t1=$(now_ms)
  echo "$s" >"$out/status-after.json"
  log "every partition's owners agree $(( (t1 - t0) / 1000 )) s after n3 restarted (sweep $sweep)"
  echo "wipe: $keys keys of $value_size B; replicas agree $(( (t1 - t0) / 1000 )) s after the wiped n3 started, with no operator action"
  field '"bytes sent: %d by exchanges, %d by answers" % (sum(n["exchangeBytesSent"] for n in d["nodes"].values()), sum(n["answerBytesSent"] for n in d["nodes"].values()))' <<<"$s"
fi

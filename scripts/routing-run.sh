#!/usr/bin/env bash
# Client-driven against server-driven coordination, and hedged reads, on one local 5-node cluster
# (docs/client.md, docs/performance.md). Runs alternate (A B B A A B...) in one sitting, so drift in
# the machine's load falls on both sides; prints every run and the medians.
#
#   scripts/routing-run.sh compare [--runs R] [--duration D] [--keys N] [--clients C] [--dir DIR]
#       The load generator (half gets, half puts, 1 KiB values over N keys, default 100,000) and
#       YCSB workload A, each with --routing server (requests to the 5 nodes in turn, which route
#       them) and partition-aware (straight to a replica): throughput, mean and p99.9 of reads and
#       writes, and the requests the nodes forwarded during each run (their
#       dynamo_requests_forwarded_total).
#       With --target OPS, only YCSB A, throttled to OPS operations/s on both sides (latency at a
#       fixed load below saturation, as a service sees it, rather than at the closed loop's peak).
#   scripts/routing-run.sh hedge [--runs R] [--duration D] [--keys N] [--clients C] [--dir DIR]
#       Partition-aware gets and puts while n3 is paused (SIGSTOP) for 200 ms every 2 s, without
#       and with hedged gets (after p99 of recent gets, at most 5 % extra): get p99.9, and the extra
#       gets.
#
# Defaults: 3 runs of each side, 30 s measured after a 10 s warm-up, 16 clients.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=${1:-}
case "$mode" in compare|hedge) shift ;; *) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;; esac
runs=3
target=0
duration=30s
keys=100000
clients=16
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=${2:?}; shift 2 ;;
    --duration) duration=${2:?}; shift 2 ;;
    --keys) keys=${2:?}; shift 2 ;;
    --clients) clients=${2:?}; shift 2 ;;
    --target) target=${2:?}; shift 2 ;;
    --dir) out=${2:?}; shift 2 ;;
    *) echo "routing-run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/routing-run.XXXXXX)}
mkdir -p "$out"
cluster=$out/cluster
cluster_sh=$ROOT/scripts/cluster.sh
bench_jar=$ROOT/dynamo-bench/target/dynamo-bench.jar
log() { echo "[$(date +%T)] $*" >&2; }
[[ -f $bench_jar && -f $ROOT/dynamo-server/target/dynamo-server.jar ]] \
  || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
pauser=""
cleanup() {
  [[ -n $pauser ]] && kill "$pauser" 2>/dev/null || true
  "$cluster_sh" resume n3 --dir "$cluster" >/dev/null 2>&1 || true
  "$cluster_sh" stop --dir "$cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "starting 5 nodes in $cluster (output in $out)"
"$cluster_sh" start --nodes 5 --dir "$cluster" >&2
nodes=$("$cluster_sh" addresses --dir "$cluster")

# Requests the nodes forwarded since they started, summed over the cluster.
forwarded() {
  local total=0 url v
  for url in $("$cluster_sh" metrics --dir "$cluster" | awk '{ print $2 }'); do
    v=$(curl -sf "$url" | awk '/^dynamo_requests_forwarded_total/ { s += $NF } END { printf "%d", s }')
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

bench() { # ROUTING NAME [extra options]: one load generator run
  local routing=$1 name=$2
  shift 2
  java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" --nodes "$nodes" --routing "$routing" --no-load \
    --clients "$clients" --read-ratio 0.5 --value-size 1024 --keys "$keys" --warmup 10s \
    --duration "$duration" --progress 0 --json "$@" >"$out/$name.json" 2>"$out/$name.err"
}

ycsb() { # ROUTING NAME: one YCSB workload A run (records loaded once before)
  "$ROOT/scripts/ycsb.sh" a --nodes "$nodes" --no-load --records "$keys" --threads "$clients" \
    --warmup 10s --duration "${duration%s}s" -p dynamo.routing="$1" -p target="$target" \
    >"$out/$2.txt" 2>"$out/$2.err"
}

order() { # the A B B A A B ... sequence of R pairs
  local i
  for i in $(seq 1 "$runs"); do
    if ((i % 2)); then echo "$1 $2"; else echo "$2 $1"; fi
  done
}

log "preloading $keys keys"
java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" --nodes "$nodes" --clients 32 --read-ratio 1 \
  --value-size 1024 --keys "$keys" --warmup 0s --duration 1s --progress 0 >/dev/null 2>"$out/preload.err"
report=$out/runs.txt
: >"$report"

if [[ $mode == compare ]]; then
  log "loading $keys YCSB records"
  "$ROOT/scripts/ycsb.sh" a --nodes "$nodes" --records "$keys" --threads "$clients" --operations 1 \
    --duration 5s >"$out/ycsb-load.txt" 2>"$out/ycsb-load.err"
  run=0
  for pair in $(order server partition-aware | tr ' ' '\n'); do
    run=$((run + 1))
    tools="bench ycsb"
    ((target > 0)) && tools=ycsb
    for tool in $tools; do
      name=$tool-$run-$pair
      before=$(forwarded)
      log "$name"
      "$tool" "$pair" "$name"
      after=$(forwarded)
      echo "$tool $pair $out/$name $((after - before))" >>"$report"
    done
  done
else
  ( while true; do
      sleep 1.8
      "$cluster_sh" pause n3 --dir "$cluster" >/dev/null
      sleep 0.2
      "$cluster_sh" resume n3 --dir "$cluster" >/dev/null
    done ) &
  pauser=$!
  run=0
  for side in $(order off on | tr ' ' '\n'); do
    run=$((run + 1))
    name=hedge-$run-$side
    log "$name (n3 paused 200 ms every 2 s)"
    if [[ $side == on ]]; then
      bench partition-aware "$name" --hedge-percentile 99 --hedge-fraction 0.05
    else
      bench partition-aware "$name"
    fi
    echo "bench hedge-$side $out/$name 0" >>"$report"
  done
fi

python3 - "$report" "$mode" <<'PY'
import json, re, statistics, sys
report, mode = sys.argv[1], sys.argv[2]
rows = {}
for line in open(report):
    tool, side, path, fwd = line.split()
    if tool == "bench":
        ops = json.load(open(path + ".json"))["operations"]
        r = {"ops": ops["total"]["ops_per_sec"],
             "read_mean": ops["get"]["mean_us"] / 1000, "read_p999": ops["get"]["p999_us"] / 1000,
             "write_mean": ops["put"]["mean_us"] / 1000, "write_p999": ops["put"]["p999_us"] / 1000,
             "errors": sum(sum(o["errors"].values()) for k, o in ops.items() if k != "total")}
        m = re.search(r"\(([\d.]+)% extra gets\)", open(path + ".err").read())
        r["extra"] = float(m.group(1)) if m else 0.0
    else:
        text = open(path + ".txt").read()
        def grab(section, metric):
            # YCSB 0.17 writes "99.9PercentileLatency(us)"; others add "th".
            pattern = re.escape(metric).replace("Percentile", "(?:th)?Percentile")
            m = re.search(r"\[%s\], %s, ([\d.]+)" % (section, pattern), text)
            return float(m.group(1)) if m else float("nan")
        r = {"ops": grab("OVERALL", "Throughput(ops/sec)"),
             "read_mean": grab("READ", "AverageLatency(us)") / 1000,
             "read_p999": grab("READ", "99.9PercentileLatency(us)") / 1000,
             "write_mean": grab("UPDATE", "AverageLatency(us)") / 1000,
             "write_p999": grab("UPDATE", "99.9PercentileLatency(us)") / 1000,
             "errors": grab("READ-FAILED", "Operations") if "READ-FAILED" in text else 0,
             "extra": 0.0}
    r["forwarded"] = int(fwd)
    rows.setdefault((tool, side), []).append(r)
    print("%-5s %-16s ops/s %8.0f  read mean %6.2f p99.9 %7.2f ms  write mean %6.2f p99.9 %7.2f ms"
          "  forwarded %8d  extra gets %.2f%%" % (tool, side, r["ops"], r["read_mean"], r["read_p999"],
          r["write_mean"], r["write_p999"], r["forwarded"], r["extra"]))
print()
print("medians of %s:" % mode)
print("| tool | routing | ops/s | read mean | read p99.9 | write mean | write p99.9 | forwarded per run | extra gets |")
print("|---|---|---|---|---|---|---|---|---|")
for (tool, side), rs in sorted(rows.items()):
    med = lambda k: statistics.median(x[k] for x in rs)
    print("| %s | %s | %.0f | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %d | %.2f %% |" % (
        "load generator" if tool == "bench" else "YCSB A", side, med("ops"), med("read_mean"),
        med("read_p999"), med("write_mean"), med("write_p999"), med("forwarded"), med("extra")))
PY

#!/usr/bin/env bash
# Overload run (issue 7): measures a cluster's capacity with the closed loop, then drives it with the
# open loop (dynamo-bench --rate) at a normal rate, at K times capacity, and at the normal rate
# again, and reports what the overload did to it.
#
#   scripts/overload.sh [--factor K] [--duration D] [--baseline D] [--recovery D] [--normal F]
#                       [--capacity OPS] [--capacity-duration D] [--max-in-flight N] [--keys N]
#                       [--nodes HOST:PORT,...] [--set KEY=VALUE]... [--strict] [-- bench options]
#
#   --factor K            overload rate = K x capacity (default 3)
#   --duration D          how long the overload lasts (default 60s)
#   --baseline D          normal-rate phase before it, the latency reference (default 20s)
#   --recovery D          normal-rate phase after it (default 30s)
#   --normal F            normal rate = F x capacity (default 0.5)
#   --capacity OPS        skip the capacity run and take OPS as the peak
#   --capacity-duration D measured time of the capacity run (default 30s, after a 10 s warm-up)
#   --max-in-flight N     the open loop's bound on outstanding requests (default 10000)
#   --keys N              keys (default 100000); values are 1024 bytes, half the requests gets
#   --nodes ADDRS         drive an existing cluster instead of starting a local 3-node one; its
#                         memory is sampled only for nodes listening on this machine
#   --set KEY=VALUE       node setting for the local cluster (scripts/cluster.sh start --set)
#   --strict              exit 1 if a criterion of issue 7 is not met
#   -- OPTIONS            more dynamo-bench options for both runs (e.g. --timeout 2s)
#
# Capacity is the closed loop of docs/performance.md: --clients 32 --read-ratio 0.5 --value-size
# 1024. While the open loop runs, one sampler JVM reads every local node's heap, heap after GC and
# direct buffer memory over JMX, and its RSS from /proc, once a second. A node counts as suspected
# down when a peer's failure detector logged "now believes <node> is DOWN" (local cluster), or,
# with --nodes, when a status poll (scripts/dynamo status, every 5 s) showed a member down.
#
# Everything is kept in $OVERLOAD_DIR (default a new temporary directory, printed): capacity.json,
# openloop.json, timeline.jsonl, memory.txt, status.txt, summary.txt, and the local cluster's node
# logs. Environment: BENCH_JAVA_OPTS, DYNAMO_JVM_OPTS (node JVMs), DYNAMO_CLUSTER_SH.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster_sh=${DYNAMO_CLUSTER_SH:-$root/scripts/cluster.sh}
bench_jar=$root/dynamo-bench/target/dynamo-bench.jar

factor=3
duration=60s
baseline=20s
recovery=30s
normal=0.5
capacity=""
capacity_duration=30s
max_in_flight=10000
keys=100000
nodes=""
strict=false
sets=()
extra=()
while (($#)); do
  case $1 in
    --factor) factor=${2:?}; shift 2 ;;
    --duration) duration=${2:?}; shift 2 ;;
    --baseline) baseline=${2:?}; shift 2 ;;
    --recovery) recovery=${2:?}; shift 2 ;;
    --normal) normal=${2:?}; shift 2 ;;
    --capacity) capacity=${2:?}; shift 2 ;;
    --capacity-duration) capacity_duration=${2:?}; shift 2 ;;
    --max-in-flight) max_in_flight=${2:?}; shift 2 ;;
    --keys) keys=${2:?}; shift 2 ;;
    --nodes) nodes=${2:?}; shift 2 ;;
    --set) sets+=(--set "${2:?}"); shift 2 ;;
    --strict) strict=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "overload.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $factor =~ ^[0-9]+(\.[0-9]+)?$ && $normal =~ ^[0-9]*\.?[0-9]+$ ]] \
  || { echo "overload.sh: --factor and --normal must be numbers" >&2; exit 2; }
[[ -z $capacity || $capacity =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "overload.sh: --capacity must be a number" >&2; exit 2; }
((${#sets[@]} == 0)) || [[ -z $nodes ]] || { echo "overload.sh: --set applies to the local cluster only" >&2; exit 2; }

if [[ ! -f $bench_jar || ( -z $nodes && ! -f $root/dynamo-server/target/dynamo-server.jar ) \
      || ( -n $nodes && ! -f $root/dynamo-cli/target/dynamo-cli.jar ) ]]; then
  echo "building jars..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests package)
fi

out=${OVERLOAD_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dynamo-overload.XXXXXX")}
mkdir -p "$out"
echo "outputs in $out" >&2
cluster_dir=""
sampler_pid=""
poller_pid=""
cleanup() {
  [[ -z $sampler_pid ]] || kill "$sampler_pid" 2>/dev/null || true
  [[ -z $poller_pid ]] || kill "$poller_pid" 2>/dev/null || true
  if [[ -n $cluster_dir ]]; then
    "$cluster_sh" stop --dir "$cluster_dir" >&2 || echo "overload.sh: stopping the cluster in $cluster_dir failed" >&2
    rm -rf "$cluster_dir"/n*/data
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the cluster and its processes ------------------------------------------------------------

declare -A pid_of=()
if [[ -z $nodes ]]; then
  cluster_dir=$out/cluster
  echo "starting a local 3-node cluster in $cluster_dir..." >&2
  "$cluster_sh" start --nodes 3 --dir "$cluster_dir" "${sets[@]}" >&2
  nodes=$("$cluster_sh" addresses --dir "$cluster_dir")
  while read -r id pid _ _; do pid_of[$id]=$pid; done < <("$cluster_sh" status --dir "$cluster_dir")
  node_source="local cluster started by this script"
else
  # Nodes of an existing cluster that listen on this machine: their pid from the listening socket.
  i=0
  IFS=, read -r -a addrs <<<"$nodes"
  for a in "${addrs[@]}"; do
    i=$((i + 1))
    pid=$(ss -ltnpH "sport = :${a##*:}" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
    if [[ -n $pid ]]; then pid_of[node$i@$a]=$pid; fi
  done
  node_source="existing cluster (--nodes); memory sampled for ${#pid_of[@]} local node(s)"
fi
if ((${#pid_of[@]} > 0)); then
  args=()
  for id in "${!pid_of[@]}"; do args+=("$id=${pid_of[$id]}"); done
  java -Xmx64m -XX:+UseSerialGC -cp "$bench_jar" io.dynamo.bench.sampler.ProcessSampler \
    --interval 1000 "${args[@]}" >"$out/memory.txt" 2>"$out/memory.err" &
  sampler_pid=$!
fi
if [[ -z $cluster_dir ]]; then
  # No logs to read: poll each node's view of its peers.
  (
    IFS=, read -r -a addrs <<<"$nodes"
    while :; do
      for a in "${addrs[@]}"; do
        if s=$("$root/scripts/dynamo" status --node "$a" --timeout 3s --json 2>/dev/null); then
          echo "$(date +%s%3N) $a $s"
        else
          echo "$(date +%s%3N) $a unanswered"
        fi
      done
      sleep 5
    done
  ) >"$out/status.txt" &
  poller_pid=$!
fi

# ---- capacity, then the open loop ----------------------------------------------------------------

load=()
if [[ -z $capacity ]]; then
  echo "measuring capacity: closed loop, 32 clients, $capacity_duration..." >&2
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of words
  java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" --nodes "$nodes" --clients 32 --read-ratio 0.5 \
    --value-size 1024 --keys "$keys" --duration "$capacity_duration" --json "${extra[@]}" >"$out/capacity.json"
  capacity=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["operations"]["total"]["ops_per_sec"])' "$out/capacity.json")
  load=(--no-load) # the capacity run wrote the keys
fi
rates=$(python3 -c 'import sys; c, k, n = map(float, sys.argv[1:]); print(round(c * n, 1), round(c * k, 1))' "$capacity" "$factor" "$normal")
read -r normal_rate over_rate <<<"$rates"
echo "capacity $capacity ops/s: open loop at $normal_rate ops/s for $baseline, $over_rate ops/s for $duration, $normal_rate ops/s for $recovery" >&2
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of words
java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" --nodes "$nodes" --read-ratio 0.5 --value-size 1024 \
  --keys "$keys" --clients 32 "${load[@]}" --rate "$normal_rate" --warmup 10s --duration "$baseline" \
  --then "$over_rate:$duration" --then "$normal_rate:$recovery" --max-in-flight "$max_in_flight" \
  --progress 1s --timeline "$out/timeline.jsonl" --json "${extra[@]}" >"$out/openloop.json" \
  2> >(tee "$out/openloop.err" >&2)
sleep 1 # the sampler's and poller's last lines
[[ -z $sampler_pid ]] || kill "$sampler_pid" 2>/dev/null || true
[[ -z $poller_pid ]] || kill "$poller_pid" 2>/dev/null || true
sampler_pid=""
poller_pid=""

# ---- what the nodes went through -------------------------------------------------------------------

: >"$out/died.txt"
: >"$out/suspected.txt"
if [[ -n $cluster_dir ]]; then
  while read -r id _ _ state; do
    [[ $state != stopped ]] || echo "$id" >>"$out/died.txt"
  done < <("$cluster_sh" status --dir "$cluster_dir")
  for log in "$cluster_dir"/n*/node.log; do
    grep -h "now believes .* is DOWN" "$log" >>"$out/suspected.txt" || true
    grep -h "OutOfMemoryError" "$log" | sed "s|^|$(basename "$(dirname "$log")"): |" >>"$out/died.txt" || true
  done
else
  for id in "${!pid_of[@]}"; do
    kill -0 "${pid_of[$id]}" 2>/dev/null || echo "$id" >>"$out/died.txt"
  done
fi

python3 - "$out" "$capacity" "$factor" "$node_source" "$strict" <<'EOF' | tee "$out/summary.txt"
import json, os, sys
out, capacity, factor, source, strict = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] == "true"
report = json.load(open(os.path.join(out, "openloop.json")))
phases = {p["phase"]: p for p in report["phases"]}
base, over, rec = phases["measure"], phases["then1"], phases["then2"]
intervals = report["intervals"]
t_from = min(i["epoch_ms"] - 1000 * i["seconds"] for i in intervals)
t_to = max(i["epoch_ms"] for i in intervals)

print(f"overload run: {source}; capacity {capacity:.1f} ops/s (closed loop, 32 clients); factor {factor}")
print(f"{'phase':<10} {'offered/s':>10} {'goodput/s':>10} {'of peak':>8} {'shed %':>7} {'timeouts':>9} {'errors':>7} {'not sent':>9} {'p99 ms':>9} {'p99.9 ms':>9} {'max ms':>9}")
for name, p in (("baseline", base), ("overload", over), ("recovery", rec)):
    print(f"{name:<10} {p['offered_per_sec']:>10.1f} {p['goodput_per_sec']:>10.1f} {100 * p['goodput_per_sec'] / capacity:>7.1f}% "
          f"{100 * p['shed_fraction']:>7.2f} {p['timeouts']:>9} {sum(p['errors'].values()):>7} {p['not_sent']:>9} "
          f"{p['p99_us'] / 1000:>9.3f} {p['p999_us'] / 1000:>9.3f} {p['max_us'] / 1000:>9.3f}")
for name, p in (("baseline", base), ("overload", over), ("recovery", rec)):
    if p["errors"]:
        print(f"errors {name}: " + " ".join(f"{k}={v}" for k, v in sorted(p["errors"].items())))
if over["overloaded"]:
    print(f"OVERLOADED answers in the overload (from the send): p50 {over['overloaded_p50_us'] / 1000:.3f}"
          f"  p99 {over['overloaded_p99_us'] / 1000:.3f}  max {over['overloaded_max_us'] / 1000:.3f} ms")
settled = rec["settled_after_s"]
print("latency back to normal after the overload stopped: "
      + (f"{settled:.1f} s" if settled is not None else f"not within the {rec['seconds']:.0f} s recovery phase")
      + f" (1 s intervals with p99 <= {report['settle_factor']} x the baseline's {base['p99_us'] / 1000:.3f} ms, no timeouts)")

peaks = {}
path = os.path.join(out, "memory.txt")
if os.path.exists(path):
    for line in open(path):
        f = line.split()
        if len(f) != 11 or not (t_from <= int(f[0]) <= t_to):
            continue
        pk = peaks.setdefault(f[1], {"heap": -1, "after_gc": -1, "max": -1, "direct": -1, "rss": -1, "states": set()})
        pk["states"].add(f[3])
        for key, col in (("heap", 4), ("after_gc", 5), ("max", 7), ("direct", 8), ("rss", 10)):
            if f[col] != "-":
                pk[key] = max(pk[key], int(f[col]))
mib = lambda v: f"{v / 2**20:.1f}" if v >= 0 else "-"
if peaks:
    print("memory during the open-loop run, peak of 1 s samples (MiB):")
    print(f"  {'node':<24} {'heap used':>10} {'after GC':>9} {'heap max':>9} {'direct':>8} {'RSS':>8}")
    for node in sorted(peaks):
        pk = peaks[node]
        print(f"  {node:<24} {mib(pk['heap']):>10} {mib(pk['after_gc']):>9} {mib(pk['max']):>9} {mib(pk['direct']):>8} {mib(pk['rss']):>8}"
              + ("" if pk["states"] == {"running"} else "  states seen: " + ",".join(sorted(pk["states"]))))
else:
    print("memory: not sampled (no node of this cluster listens on this machine)")

died = [l.strip() for l in open(os.path.join(out, "died.txt")) if l.strip()]
print("nodes died: " + ("none" if not died else "; ".join(died)))
suspected = [l.strip() for l in open(os.path.join(out, "suspected.txt")) if l.strip()]
status = os.path.join(out, "status.txt")
unanswered = 0
if os.path.exists(status):
    for line in open(status):
        t, addr, rest = line.rstrip("\n").split(" ", 2)
        if rest == "unanswered":
            unanswered += 1
            continue
        try:
            s = json.loads(rest)
        except ValueError:
            continue
        for m in s.get("members", []):
            if not m.get("up", True):
                suspected.append(f"{t} {s.get('node')} saw {m.get('id')} down (phi {m.get('phi')})")
print("suspected down by a peer: " + ("none" if not suspected else f"{len(suspected)} time(s):"))
for s in suspected[:20]:
    print("  " + s)
if unanswered:
    print(f"status polls unanswered within 3 s: {unanswered}")

checks = [
    ("no node died", not died),
    ("goodput in the overload >= 80 % of the peak", over["goodput_per_sec"] >= 0.8 * capacity),
    ("no node suspected down", not suspected),
    ("latency back to normal within 10 s", settled is not None and settled <= 10),
]
for text, ok in checks:
    print(f"criterion: {text}: {'met' if ok else 'NOT met'}")
sys.exit(1 if strict and not all(ok for _, ok in checks) else 0)
EOF

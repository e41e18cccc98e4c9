#!/usr/bin/env bash
# Pause run (issue 7): a local 5-node cluster under a steady, write-heavy closed-loop load; after a
# baseline window one node is paused (SIGSTOP: it keeps its sockets open and answers nothing) for a
# window, then resumed (SIGCONT). Reports acknowledged writes/s, reads/s and errors by kind before,
# during and after the pause.
#
#   scripts/pause-run.sh [--nodes N] [--pause-node ID] [--before D] [--pause D] [--after D]
#                        [--clients C] [--read-ratio R] [--keys K] [--set KEY=VALUE]...
#                        [-- bench options]
#
#   --nodes N        cluster size (default 5)
#   --pause-node ID  the node to pause (default n5); the load goes to every node, this one too
#   --before D       measured window before the pause (default 20s)
#   --pause D        how long the node stays paused (default 20s)
#   --after D        measured window after it is resumed (default 30s)
#   --clients C      closed-loop clients (default 32)
#   --read-ratio R   share of gets (default 0.1: write-heavy)
#   --keys K         keys (default 20000), 1024-byte values
#   --set KEY=VALUE  node setting (scripts/cluster.sh start --set), e.g. failure-detector.acceptable-pause=1s
#   -- OPTIONS       more dynamo-bench options (e.g. --timeout 2s)
#
# The load generator runs with a 10 s warm-up and --timeline (one JSON line per second with the
# answers by kind); each second is counted in the window its middle falls in, so the seconds around
# the pause and resume are the only approximate ones. Kept in $PAUSE_RUN_DIR (default a new temporary
# directory, printed): bench.txt (the generator's report), timeline.jsonl, events.txt, summary.txt
# and the node logs. Environment: BENCH_JAVA_OPTS, DYNAMO_JVM_OPTS (node JVMs), DYNAMO_CLUSTER_SH.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster_sh=${DYNAMO_CLUSTER_SH:-$root/scripts/cluster.sh}
bench_jar=$root/dynamo-bench/target/dynamo-bench.jar

n=5
victim=n5
before=20
pause=20
after=30
clients=32
read_ratio=0.1
keys=20000
sets=()
extra=()
seconds() {
  [[ $1 =~ ^([0-9]+)s?$ ]] || { echo "pause-run.sh: expected whole seconds such as 20s, got '$1'" >&2; exit 2; }
  echo "${BASH_REMATCH[1]}"
}
while (($#)); do
  case $1 in
    --nodes) n=${2:?}; shift 2 ;;
    --pause-node) victim=${2:?}; shift 2 ;;
    --before) before=$(seconds "${2:?}"); shift 2 ;;
    --pause) pause=$(seconds "${2:?}"); shift 2 ;;
    --after) after=$(seconds "${2:?}"); shift 2 ;;
    --clients) clients=${2:?}; shift 2 ;;
    --read-ratio) read_ratio=${2:?}; shift 2 ;;
    --keys) keys=${2:?}; shift 2 ;;
    --set) sets+=(--set "${2:?}"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "pause-run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ ! -f $bench_jar || ! -f $root/dynamo-server/target/dynamo-server.jar ]]; then
  echo "building jars..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests package)
fi

out=${PAUSE_RUN_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dynamo-pause-run.XXXXXX")}
mkdir -p "$out"
echo "outputs in $out" >&2
cluster_dir=$out/cluster
bench_pid=""
cleanup() {
  [[ -z $bench_pid ]] || kill "$bench_pid" 2>/dev/null || true
  # cluster.sh stop also sends SIGCONT, so a node still paused is stopped too.
  "$cluster_sh" stop --dir "$cluster_dir" >&2 || echo "pause-run.sh: stopping the cluster in $cluster_dir failed" >&2
  rm -rf "$cluster_dir"/n*/data
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "starting a local $n-node cluster in $cluster_dir..." >&2
"$cluster_sh" start --nodes "$n" --dir "$cluster_dir" "${sets[@]}" >&2
"$cluster_sh" status --dir "$cluster_dir" | awk -v v="$victim" '$1 == v { found = 1 } END { exit !found }' \
  || { echo "pause-run.sh: no node $victim in the cluster" >&2; exit 2; }
nodes=$("$cluster_sh" addresses --dir "$cluster_dir")

timeline=$out/timeline.jsonl
: >"$timeline"
total=$((before + pause + after))
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of words
java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" --nodes "$nodes" --clients "$clients" --read-ratio "$read_ratio" \
  --value-size 1024 --keys "$keys" --warmup 10s --duration "${total}s" --progress 1s \
  --timeline "$timeline" "${extra[@]}" >"$out/bench.txt" 2>"$out/bench.err" &
bench_pid=$!

# The measured window opens with the first timeline line of the "measure" phase.
until grep -q '"phase":"measure"' "$timeline"; do
  kill -0 "$bench_pid" 2>/dev/null || { echo "pause-run.sh: the load generator exited; see $out/bench.err" >&2; exit 1; }
  sleep 0.2
done
# That line arrives one interval into the window: wait for the rest of --before.
wait_s=$(grep -m1 '"phase":"measure"' "$timeline" | python3 -c '
import json, sys
line = json.loads(sys.stdin.readline())
print(max(0.0, float(sys.argv[1]) - line["t"] - line["seconds"]))' "$before")
echo "measuring; pausing $victim in ${wait_s}s" >&2
sleep "$wait_s"
"$cluster_sh" pause "$victim" --dir "$cluster_dir" >&2
echo "pause $(date +%s%3N)" >"$out/events.txt"
sleep "$pause"
"$cluster_sh" resume "$victim" --dir "$cluster_dir" >&2
echo "resume $(date +%s%3N)" >>"$out/events.txt"
status=0
wait "$bench_pid" || status=$?
bench_pid=""
((status == 0)) || echo "pause-run.sh: the load generator exited with $status; see $out/bench.err" >&2
cat "$out/bench.txt"

python3 - "$out" "$victim" "$n" "$clients" "$read_ratio" <<'EOF' | tee "$out/summary.txt"
import json, os, sys
out, victim, n, clients, read_ratio = sys.argv[1:]
events = dict(line.split() for line in open(os.path.join(out, "events.txt")))
paused, resumed = int(events["pause"]), int(events["resume"])
windows = {"before": [0, 0, 0, 0.0, {}], "paused": [0, 0, 0, 0.0, {}], "after": [0, 0, 0, 0.0, {}]}
for line in open(os.path.join(out, "timeline.jsonl")):
    i = json.loads(line)
    if i["phase"] != "measure" or i["seconds"] <= 0:
        continue
    middle = i["epoch_ms"] - 500 * i["seconds"]
    w = windows["before" if middle < paused else "paused" if middle < resumed else "after"]
    w[0] += 1
    w[1] += i["ok_puts"]
    w[2] += i["ok_gets"]
    w[3] += i["seconds"]
    for kind, count in i["errors"].items():
        w[4][kind] = w[4].get(kind, 0) + count
print(f"pause run: {n} nodes, {victim} paused for {(resumed - paused) / 1000:.1f} s; "
      f"closed loop, {clients} clients, read ratio {read_ratio}")
print(f"{'window':<8} {'seconds':>8} {'acked writes/s':>15} {'reads/s':>9} {'errors':>7}  errors by kind")
for name, (count, puts, gets, secs, errors) in windows.items():
    if secs == 0:
        print(f"{name:<8} {'-':>8}")
        continue
    kinds = " ".join(f"{k}={v}" for k, v in sorted(errors.items())) or "-"
    print(f"{name:<8} {secs:>8.1f} {puts / secs:>15.1f} {gets / secs:>9.1f} {sum(errors.values()):>7}  {kinds}")
EOF
exit "$status"

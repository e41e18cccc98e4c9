#!/usr/bin/env bash
# Membership run (issue 8): a local 3-node cluster under a steady closed-loop load; one change at a
# time, each waited for until `dynamo ring --json` shows no pending moves:
#   1. join:    scripts/cluster.sh add (n4), dynamo join n4 --commit
#   2. leave:   dynamo leave n2 --commit; once n2 owns nothing it is stopped (SIGTERM)
#   3. replace: kill -9 n3, scripts/cluster.sh add (n5), then `remove n3` and `join n5` staged and
#               committed as ONE plan: with N=3 a lone `remove n3` would leave 2 members for 3
#               replicas, which the planner refuses ("replicas (3) exceed the members that may own
#               copies (2)")
# Then stops the load and checks that every acknowledged write is readable at quorum and is in the
# own copy of every owner (MembershipCheck verify); exits 1 on any loss.
#
#   scripts/membership-run.sh [--dir DIR] [--keys N] [--value-size B] [--clients C]
#                             [--read-ratio R] [--writer-rate W] [--settle S] [--move-timeout S]
#                             [--steps all|join] [--no-load] [--keep-data] [--set KEY=VALUE]...
#
#   --dir DIR         outputs (default: a new /tmp/mprun-membership.XXXXXX); the cluster is DIR/cluster
#   --keys N          keys the load generator preloads and then reads and writes (default 20000)
#   --value-size B    their value size (default 1024)
#   --clients C       closed-loop clients of the load generator (default 8)
#   --read-ratio R    its share of gets (default 0.5)
#   --writer-rate W   new keys/s written by the checker's writer, each acknowledged index logged and
#                     checked at the end (default 100; 100-byte values)
#   --settle S        seconds of load before the first change and after each one: the "before" and
#                     "after" windows (default 20)
#   --move-timeout S  a change not finished after S seconds fails the run (default 900)
#   --steps join      only the join (with --no-load: the streaming measurement of a join)
#   --no-load         no load generator or writer during the changes (the preload still runs)
#   --no-verify       skip the final check (for the streaming measurement's large data sets)
#   --keep-data       keep the nodes' data directories
#   --set KEY=VALUE   node setting for every node (scripts/cluster.sh start/add --set)
#
# The load generator (dynamo-bench) runs with --timeline: one JSON line per second with its
# answers and the latency histogram of that second; the report merges the seconds whose middle
# falls in a window and takes p50/p99/p99.9 of the merge. Both load clients know only n1..n3 (the
# nodes that exist when they start): after the leave and the kill, n1 coordinates all their
# requests. DIR keeps events.txt (epoch ms of every step), ring-*.json, plan-*.txt,
# transfers-*.json, timeline.jsonl, bench.err, writer.txt, acked.txt, verify.txt, summary.txt.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster_sh=$root/scripts/cluster.sh
dynamo=$root/scripts/dynamo
bench_jar=$root/dynamo-bench/target/dynamo-bench.jar

out=""
keys=20000
value_size=1024
clients=8
read_ratio=0.5
writer_rate=100
settle=20
move_timeout=900
steps=all
load=true
verify=true
keep=false
sets=()
while (($#)); do
  case $1 in
    --dir) out=${2:?}; shift 2 ;;
    --keys) keys=${2:?}; shift 2 ;;
    --value-size) value_size=${2:?}; shift 2 ;;
    --clients) clients=${2:?}; shift 2 ;;
    --read-ratio) read_ratio=${2:?}; shift 2 ;;
    --writer-rate) writer_rate=${2:?}; shift 2 ;;
    --settle) settle=${2:?}; shift 2 ;;
    --move-timeout) move_timeout=${2:?}; shift 2 ;;
    --steps) steps=${2:?}; shift 2 ;;
    --no-load) load=false; shift ;;
    --keep-data) keep=true; shift ;;
    --no-verify) verify=false; shift ;;
    --set) sets+=(--set "${2:?}"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "membership-run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $steps == all || $steps == join ]] || { echo "membership-run.sh: --steps all|join" >&2; exit 2; }

if [[ ! -f $bench_jar || ! -f $root/dynamo-server/target/dynamo-server.jar || ! -f $root/dynamo-cli/target/dynamo-cli.jar ]]; then
  echo "building jars..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests package)
fi

out=${out:-$(mktemp -d /tmp/mprun-membership.XXXXXX)}
mkdir -p "$out"
out=$(realpath "$out")
cluster=$out/cluster
export DYNAMO_CLUSTER_DIR=$cluster
echo "outputs in $out" >&2
events=$out/events.txt
: >"$events"
bench_pid=""
writer_pid=""
ok=false

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
event() { echo "$1 $(date +%s%3N) $(cut -d" " -f1-3 /proc/loadavg)" >>"$events"; }

cleanup() {
  [[ -z $bench_pid ]] || kill "$bench_pid" 2>/dev/null || true
  [[ -z $writer_pid ]] || kill "$writer_pid" 2>/dev/null || true
  if ! $ok && [[ -f $cluster/nodes ]]; then
    for id in $(awk '{ print $1 }' "$cluster/nodes"); do
      echo "---- last lines of $cluster/$id/node.log" >&2
      tail -n 15 "$cluster/$id/node.log" >&2 || true
    done
  fi
  if [[ -f $cluster/nodes ]]; then
    "$cluster_sh" stop --dir "$cluster" >&2 || echo "membership-run.sh: stopping the cluster failed" >&2
    $keep || rm -rf "$cluster"/n*/data
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "membership-run.sh: FAILED: $*" >&2
  exit 1
}

ring_json() { "$dynamo" ring --json; }

addr_of() { awk -v id="$1" '$1 == id { print $2 }' "$cluster/nodes"; }

# Waits until the ring's version is above $1 and it has no pending moves; fails after move_timeout.
wait_moves() {
  local version=$1 name=$2 deadline=$((SECONDS + move_timeout)) state
  while :; do
    state=$(ring_json 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["version"], len(r["pendingMoves"]))' 2>/dev/null || echo "? ?")
    read -r v pending <<<"$state"
    if [[ $v != "?" ]] && ((v > version && pending == 0)); then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      "$dynamo" transfers >"$out/transfers-$name-timeout.txt" 2>&1 || true
      fail "$name: moves still pending after ${move_timeout}s (ring version $v, $pending pending moves); transfers in $out/transfers-$name-timeout.txt"
    fi
    sleep 1
  done
}

# One membership change: ring before, the commands (their output is the plan), wait, ring and
# transfers after.
change() {
  local name=$1
  shift
  ring_json >"$out/ring-$name-before.json"
  # Nodes list every copy they ever took, not only this change's: the report takes the difference.
  "$dynamo" transfers --json >"$out/transfers-$name-before.json"
  local version
  version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$out/ring-$name-before.json")
  event "$name-start"
  log "$name: $*"
  "$@" >"$out/plan-$name.txt" 2>&1 || { cat "$out/plan-$name.txt" >&2; fail "$name: '$*' failed"; }
  head -n 3 "$out/plan-$name.txt" >&2
  wait_moves "$version" "$name"
  event "$name-end"
  "$dynamo" transfers --json >"$out/transfers-$name.json"
  ring_json >"$out/ring-$name-after.json"
  log "$name: done"
}

# ---- cluster, preload, load -----------------------------------------------------------------
log "starting a 3-node cluster in $cluster"
"$cluster_sh" start --nodes 3 --dir "$cluster" "${sets[@]}" >&2
nodes=$("$cluster_sh" addresses --dir "$cluster")
timeline=$out/timeline.jsonl
: >"$timeline"
if $load; then
  duration=36000s
else
  duration=1s
fi
log "load generator: preloading $keys keys of $value_size bytes, then $clients clients (read ratio $read_ratio)"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of words
java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" --nodes "$nodes" --clients "$clients" --read-ratio "$read_ratio" \
  --value-size "$value_size" --keys "$keys" --warmup 0s --duration "$duration" --progress 1s \
  --timeline "$timeline" >"$out/bench.txt" 2>"$out/bench.err" &
bench_pid=$!
until grep -q '^loaded in' "$out/bench.err"; do
  kill -0 "$bench_pid" 2>/dev/null || { cat "$out/bench.err" >&2; fail "the load generator exited during its preload"; }
  sleep 1
done
grep '^loaded in' "$out/bench.err" >&2
if grep -q 'puts failed' "$out/bench.err"; then
  grep 'puts failed' "$out/bench.err" >&2
  fail "the preload did not write every key (the check needs them all acknowledged)"
fi
event preloaded
if $load; then
  java -cp "$bench_jar" io.dynamo.bench.MembershipCheck write --nodes "$nodes" --acked "$out/acked.txt" \
    --stop-file "$out/writer.stop" --rate "$writer_rate" >"$out/writer.txt" 2>&1 &
  writer_pid=$!
  log "writer: $writer_rate new keys/s; baseline for ${settle}s"
  sleep "$settle"
else
  wait "$bench_pid" || true
  bench_pid=""
fi

# ---- the changes ----------------------------------------------------------------------------
# Each step's command records "<step>-commit" just before the commit: a move's duration runs from
# there to the ring without pending moves; its "during" window from the step's start (node start-up,
# a kill) to that end.
# `dynamo join ID --commit`, retried while the claimant does not know the new node yet: a node
# started by `cluster.sh add` is known to the claimant only once gossip brings its entry there (the
# new node gossips with two of its seeds a second), so a join right after the add may be refused
# with "unknown node". With a further change (the replacement's "remove n3"), the join is staged
# first and that change is staged with --commit after it: the claimant keeps no change that cannot
# be planned, and "remove n3" alone cannot (2 members for 3 replicas), so it must come second.
join_commit() {
  local step=$1 id=$2 attempt output
  shift 2
  for attempt in $(seq 1 30); do
    # The last "<step>-commit" line counts: a move runs from the commit that was taken.
    event "$step-commit"
    if (($#)); then
      output=$("$dynamo" join "$id" 2>&1) && output=$("$@" --commit 2>&1) && { echo "$output"; return 0; }
    elif output=$("$dynamo" join "$id" --commit 2>&1); then
      echo "$output"
      return 0
    fi
    echo "$output"
    grep -q "unknown node" <<<"$output" || return 1
    echo "(attempt $attempt: the claimant does not know $id yet; retrying in 1 s)"
    "$dynamo" plan --clear >/dev/null 2>&1 || true
    sleep 1
  done
  return 1
}
step_join() {
  "$cluster_sh" add --dir "$cluster" "${sets[@]}" >&2 || return 1
  join_commit join n4
}
step_leave() {
  event leave-commit
  "$dynamo" leave n2 --commit
}
step_replace() {
  "$cluster_sh" kill n3 --dir "$cluster" >&2 || return 1
  event n3-killed
  "$cluster_sh" add --dir "$cluster" "${sets[@]}" >&2 || return 1
  # "remove n3" is staged after the join: planned alone it fails (2 members for 3 replicas).
  join_commit replace n5 "$dynamo" remove n3
}
settle_after() {
  if $load; then
    log "after window: ${settle}s"
    sleep "$settle"
  fi
}

change join step_join
settle_after
if [[ $steps == all ]]; then
  change leave step_leave
  # A decommissioned node is stopped once it owns nothing.
  kill -TERM "$(cat "$cluster/n2/pid")"
  while kill -0 "$(cat "$cluster/n2/pid")" 2>/dev/null; do sleep 0.2; done
  event n2-stopped
  log "n2 stopped"
  settle_after
  change replace step_replace
  settle_after
fi

# ---- stop the load, check -------------------------------------------------------------------
members=""
for id in $(awk '{ print $1 }' "$cluster/nodes"); do
  pid=$(cat "$cluster/$id/pid" 2>/dev/null || true)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    members+="${members:+,}$id=$(addr_of "$id")"
  fi
done
if $load; then
  event load-stop
  touch "$out/writer.stop"
  wait "$writer_pid" || fail "the writer failed: $(cat "$out/writer.txt")"
  writer_pid=""
  cat "$out/writer.txt" >&2
  kill -TERM "$bench_pid" 2>/dev/null || true
  wait "$bench_pid" 2>/dev/null || true
  bench_pid=""
  # Writes to a pending owner that did not answer in time were hinted: wait (at most 60 s) until
  # no node holds hints for a running member, so that every owner's copy can be complete.
  live=$(tr ',' '\n' <<<"$members" | cut -d= -f1 | paste -sd,)
  deadline=$((SECONDS + 60))
  while :; do
    pending=$("$dynamo" hints --json 2>/dev/null | python3 -c '
import json, sys
live = set(sys.argv[1].split(","))
q = json.load(sys.stdin)["queues"]
print(sum(x["count"] for x in q if x["target"] in live))' "$live" || echo "?")
    [[ $pending == 0 ]] && break
    if ((SECONDS >= deadline)); then
      log "hints for running members still held after 60 s: $pending (checking anyway)"
      break
    fi
    sleep 1
  done
  "$dynamo" hints >"$out/hints.txt" 2>&1 || true
  event hints-drained
fi
verify_status=0
if $verify; then
  log "verifying on $members"
  acked_opt=()
  $load && acked_opt=(--acked "$out/acked.txt")
  java -cp "$bench_jar" io.dynamo.bench.MembershipCheck verify --members "$members" \
    "${acked_opt[@]}" --bench-keys "$keys" --bench-value-size "$value_size" \
    >"$out/verify.txt" 2>&1 || verify_status=$?
  cat "$out/verify.txt" >&2
else
  log "not verified (--no-verify)"
fi

# ---- report ---------------------------------------------------------------------------------
python3 - "$out" "$steps" "$settle" "$keys" "$value_size" "$clients" "$read_ratio" "$writer_rate" "$load" <<'EOF' | tee "$out/summary.txt"
import json, os, sys
out, steps, settle, keys, value_size, clients, read_ratio, writer_rate, load = sys.argv[1:]
settle = int(settle) * 1000
ev = {}
for line in open(os.path.join(out, "events.txt")):
    k, v = line.split()[:2]
    ev[k] = int(v)  # a repeated event: the last counts
names = ["join"] + (["leave", "replace"] if steps == "all" else [])
labels = {"join": "join n4 (3 -> 4)", "leave": "leave n2 (4 -> 3)",
          "replace": "kill n3; remove n3 + join n5 (one plan)"}

def owners(path):
    r = json.load(open(path))
    pairs = {(p["partition"], o) for p in r["partitions"] for o in p["owners"]}
    return r, pairs

def mib(b):
    return b / 1048576

print(f"membership run: {keys} keys of {value_size} B preloaded; "
      + (f"closed loop {clients} clients, read ratio {read_ratio}; writer {writer_rate} new keys/s"
         if load == "true" else "no load during the changes"))
print()
print(f"{'change':<42} {'copies moved':>16} {'share':>6} {'MiB':>8} {'move s':>7} {'MiB/s':>6}")
for n in names:
    before, a = owners(os.path.join(out, f"ring-{n}-before.json"))
    after, b = owners(os.path.join(out, f"ring-{n}-after.json"))
    total = after["replicas"] * len(after["partitions"])
    moved = len(b - a)
    # transfers --json lists every copy the nodes took so far: this change's are the new ones.
    key = lambda x: (x["partition"], x["from"], x["to"])
    earlier = os.path.join(out, f"transfers-{n}-before.json")
    if not os.path.exists(earlier):  # runs before the script saved it: the previous change's end
        earlier = os.path.join(out, f"transfers-{names[names.index(n) - 1]}.json") if n != names[0] else None
    seen = {key(x) for x in json.load(open(earlier))["transfers"]} if earlier else set()
    t = [x for x in json.load(open(os.path.join(out, f"transfers-{n}.json")))["transfers"] if key(x) not in seen]
    done = sum(x["bytesDone"] for x in t)
    secs = (ev[f"{n}-end"] - ev[f"{n}-commit"]) / 1000
    print(f"{labels[n]:<42} {moved:>7} of {total:<6} {moved / total:>6.3f} {mib(done):>8.1f} {secs:>7.1f} {mib(done) / secs:>6.1f}")

if load != "true":
    sys.exit(0)
lines = [json.loads(l) for l in open(os.path.join(out, "timeline.jsonl"))]

def window(lo, hi):
    secs = ok = 0
    hist = {}
    errors = {}
    for i in lines:
        mid = i["epoch_ms"] - 500 * i["seconds"]
        if lo <= mid < hi and i["seconds"] > 0:
            secs += i["seconds"]
            ok += i["ok_gets"] + i["ok_puts"]
            for k, c in i["errors"].items():
                errors[k] = errors.get(k, 0) + c
            for v, c in i.get("latency_us", []):
                hist[v] = hist.get(v, 0) + c
    total = sum(hist.values())
    def pct(q):
        if total == 0:
            return float("nan")
        need, run = q * total, 0
        for v in sorted(hist):
            run += hist[v]
            if run >= need:
                return v / 1000
        return max(hist) / 1000
    return secs, ok / secs if secs else float("nan"), pct(0.5), pct(0.99), pct(0.999), errors

print()
print("load generator (gets and puts together; latency in ms):")
print(f"{'change':<10} {'window':<7} {'seconds':>7} {'ops/s':>8} {'p50':>7} {'p99':>7} {'p99.9':>7}  errors")
for n in names:
    start, end = ev[f"{n}-start"], ev[f"{n}-end"]
    for w, lo, hi in (("before", start - settle, start), ("during", start, end), ("after", end, end + settle)):
        if n == "leave" and w == "after":
            lo = ev["n2-stopped"]; hi = lo + settle
        s, rate, p50, p99, p999, errors = window(lo, hi)
        e = " ".join(f"{k}={v}" for k, v in sorted(errors.items())) or "-"
        print(f"{n:<10} {w:<7} {s:>7.1f} {rate:>8.0f} {p50:>7.2f} {p99:>7.2f} {p999:>7.2f}  {e}")
EOF
if ((verify_status != 0)); then
  fail "acknowledged writes missing (see $out/verify.txt)"
fi
ok=true
if $verify; then
  log "done: no acknowledged write lost; outputs in $out"
else
  log "done (not verified); outputs in $out"
fi

#!/usr/bin/env bash
# A local multi-process Dynamo cluster on 127.0.0.1, one java process per node.
#
#   scripts/cluster.sh start [--nodes N] [--set KEY=VALUE]... [--dir DIR]
#                                                      start N nodes (default 3), wait until all serve;
#                                                      each --set is appended to every node's config
#   scripts/cluster.sh stop [--dir DIR]                SIGTERM every node, wait (kill -9 after 20 s)
#   scripts/cluster.sh status [--dir DIR]              one line per node: ID PID 127.0.0.1:PORT running|paused|stopped
#   scripts/cluster.sh kill NODE [--dir DIR]           kill -9 one node (e.g. n2)
#   scripts/cluster.sh restart NODE [--dir DIR]        start one node again on its config and data
#   scripts/cluster.sh pause NODE [--dir DIR]          SIGSTOP one node: it holds its sockets but answers nothing
#   scripts/cluster.sh resume NODE [--dir DIR]         SIGCONT a paused node
#   scripts/cluster.sh add [--set KEY=VALUE]... [--dir DIR]
#                                                      start one more node with the running nodes as
#                                                      seeds; it joins with: scripts/dynamo join ID --commit
#   scripts/cluster.sh addresses [--dir DIR]           comma-separated client addresses
#   scripts/cluster.sh metrics [--dir DIR]             one line per node: ID http://127.0.0.1:PORT/metrics
#   scripts/cluster.sh clean [--dir DIR]               stop, then delete the cluster's files and data
#
# DIR defaults to $DYNAMO_CLUSTER_DIR, else <checkout>/.cluster. It holds DIR/nodes (one line per
# node: ID CLIENT_ADDR PEER_ADDR METRICS_ADDR), DIR/client-addresses, and per node DIR/<id>/node.properties,
# DIR/<id>/data, DIR/<id>/node.log and DIR/<id>/pid. Starting again in a stopped DIR reuses its
# configuration and data. Node JVMs get -Xmx256m plus $DYNAMO_JVM_OPTS. Each node gets
# network.io-threads = cores / N (at least 1, at most 4), since the N nodes share this machine.
# Every node serves its metrics over HTTP (listen.metrics) at METRICS_ADDR/metrics (docs/metrics.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/dynamo-server/target/dynamo-server.jar"
START_TIMEOUT=60
STOP_TIMEOUT=20

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---- node bookkeeping -----------------------------------------------------------------------

require_cluster() {
  [[ -f "$DIR/nodes" ]] || die "no cluster in $DIR (start one with: scripts/cluster.sh start --dir $DIR)"
}

node_ids() {
  awk 'NF { print $1 }' "$DIR/nodes"
}

client_addr() { awk -v id="$1" '$1 == id { print $2 }' "$DIR/nodes"; }

# Empty for a node of a cluster written before nodes had a metrics listener.
metrics_addr() { awk -v id="$1" '$1 == id { print $4 }' "$DIR/nodes"; }

node_pid() {
  local f="$DIR/$1/pid"
  [[ -f "$f" ]] && cat "$f" || true
}

# Whether the process in a node's pid file is alive and is that node's server (not a reused pid).
is_running() {
  local pid
  pid="$(node_pid "$1")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$DIR/$1/node.properties"
}

# Whether a running node is stopped by SIGSTOP (state T in /proc/PID/stat).
is_paused() {
  local pid state
  pid="$(node_pid "$1")"
  state="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ "$state" == T ]]
}

check_node() {
  [[ -n "${1:-}" ]] || die "which node? e.g. n1"
  require_cluster
  [[ -n "$(client_addr "$1")" ]] || die "no node '$1' in $DIR (nodes: $(node_ids | paste -sd' '))"
}

build_server() {
  [[ -f "$JAR" ]] && return 0
  echo "building $JAR ..." >&2
  local mvn=mvn
  [[ -x "$ROOT/mvnw" ]] && mvn="$ROOT/mvnw"
  (cd "$ROOT" && "$mvn" -q -B -DskipTests package -pl dynamo-server -am) >&2 \
    || die "build failed"
  [[ -f "$JAR" ]] || die "build did not produce $JAR"
}

# N free loopback ports, held open together so none is handed out twice.
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

write_configs() {
  local n="$1" i id members="" ports io_threads
  io_threads=$(($(nproc) / n))
  ((io_threads >= 1)) || io_threads=1
  ((io_threads <= 4)) || io_threads=4
  read -r -a ports <<<"$(free_ports $((3 * n)))"
  for ((i = 1; i <= n; i++)); do
    members+="${members:+,}n$i"
  done
  : >"$DIR/nodes.tmp"
  for ((i = 1; i <= n; i++)); do
    echo "n$i 127.0.0.1:${ports[3 * (i - 1)]} 127.0.0.1:${ports[3 * (i - 1) + 1]}" \
      "127.0.0.1:${ports[3 * (i - 1) + 2]}" >>"$DIR/nodes.tmp"
  done
  for ((i = 1; i <= n; i++)); do
    id="n$i"
    mkdir -p "$DIR/$id/data"
    {
      echo "# Written by scripts/cluster.sh"
      echo "node.id=$id"
      echo "listen.client=$(awk -v id="$id" '$1 == id { print $2 }' "$DIR/nodes.tmp")"
      echo "listen.peer=$(awk -v id="$id" '$1 == id { print $3 }' "$DIR/nodes.tmp")"
      echo "listen.metrics=$(awk -v id="$id" '$1 == id { print $4 }' "$DIR/nodes.tmp")"
      echo "data.dir=data"
      echo "members=$members"
      # Nodes sharing one machine share its cores: each gets its share of I/O (= protocol shard)
      # threads, so the nodes together run about one busy thread per core.
      echo "network.io-threads=$io_threads"
      awk '{ print "member." $1 ".client=" $2; print "member." $1 ".peer=" $3 }' "$DIR/nodes.tmp"
    } >"$DIR/$id/node.properties"
  done
  mv "$DIR/nodes.tmp" "$DIR/nodes"
  awk '{ print $2 }' "$DIR/nodes" | paste -sd, >"$DIR/client-addresses"
}

# Appends the --set settings to every node's config; a key set again later wins (Java properties).
append_settings() {
  ((${#SETTINGS[@]} > 0)) || return 0
  local id kv
  for id in $(node_ids); do
    {
      echo "# --set on scripts/cluster.sh start, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
      for kv in "${SETTINGS[@]}"; do
        echo "$kv"
      done
    } >>"$DIR/$id/node.properties"
  done
}

# Starts one node in the background, detached from this script's session.
launch() {
  local id="$1"
  local log="$DIR/$id/node.log"
  # shellcheck disable=SC2086 # DYNAMO_JVM_OPTS is a list of flags
  local offset
  touch "$log"
  offset="$(wc -c <"$log")"
  setsid nohup java -Xmx256m -XX:+ExitOnOutOfMemoryError ${DYNAMO_JVM_OPTS:-} \
    -jar "$JAR" "$DIR/$id/node.properties" >>"$log" 2>&1 </dev/null &
  echo $! >"$DIR/$id/pid"
  # The log of this run starts after what earlier runs wrote.
  echo "$offset" >"$DIR/$id/log.offset"
}

ready() {
  local id="$1" offset
  offset="$(cat "$DIR/$id/log.offset" 2>/dev/null || echo 0)"
  tail -c "+$((offset + 1))" "$DIR/$id/node.log" 2>/dev/null | grep -qF "node $id serving clients on"
}

# Waits until every given node serves; on failure shows the node's log tail and returns 1.
wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT)) id pending
  while :; do
    pending=()
    for id in "$@"; do
      if ready "$id"; then
        continue
      fi
      if ! is_running "$id"; then
        echo "cluster.sh: node $id exited during start-up; last lines of $DIR/$id/node.log:" >&2
        tail -n 30 "$DIR/$id/node.log" >&2 || true
        return 1
      fi
      pending+=("$id")
    done
    if ((${#pending[@]} == 0)); then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      for id in "${pending[@]}"; do
        echo "cluster.sh: node $id not serving after ${START_TIMEOUT}s; last lines of $DIR/$id/node.log:" >&2
        tail -n 30 "$DIR/$id/node.log" >&2 || true
      done
      return 1
    fi
    sleep 0.2
  done
}

# Sends a signal to the given nodes and waits for them to exit, escalating to SIGKILL.
terminate() {
  local id pid deadline=$((SECONDS + STOP_TIMEOUT)) alive
  for id in "$@"; do
    if is_running "$id"; then
      kill -TERM "$(node_pid "$id")" 2>/dev/null || true
      # A paused node handles the SIGTERM only once it runs again.
      kill -CONT "$(node_pid "$id")" 2>/dev/null || true
    fi
  done
  while :; do
    alive=()
    for id in "$@"; do
      if is_running "$id"; then
        alive+=("$id")
      fi
    done
    if ((${#alive[@]} == 0)); then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      for id in "${alive[@]}"; do
        pid="$(node_pid "$id")"
        echo "cluster.sh: $id (pid $pid) still running after ${STOP_TIMEOUT}s: kill -9" >&2
        kill -KILL "$pid" 2>/dev/null || true
      done
      deadline=$((SECONDS + 5))
      sleep 0.5
      continue
    fi
    sleep 0.2
  done
}

# ---- commands -------------------------------------------------------------------------------

cmd_start() {
  local n="" id running=()
  if [[ -f "$DIR/nodes" ]]; then
    for id in $(node_ids); do
      if is_running "$id"; then
        running+=("$id")
      fi
    done
    if ((${#running[@]} > 0)); then
      die "a cluster is already running in $DIR (running: ${running[*]}); stop it first"
    fi
  fi
  [[ -z "$NODES" ]] || [[ "$NODES" =~ ^[1-9][0-9]*$ ]] || die "--nodes: expected a number, got '$NODES'"
  build_server
  mkdir -p "$DIR"
  if [[ -f "$DIR/nodes" ]]; then
    n="$(node_ids | wc -l)"
    if [[ -n "$NODES" && "$NODES" != "$n" ]]; then
      die "$DIR holds a $n-node cluster; run 'scripts/cluster.sh clean --dir $DIR' first for $NODES nodes"
    fi
    echo "starting the $n-node cluster in $DIR again (same configuration and data)"
  else
    n="${NODES:-3}"
    write_configs "$n"
  fi
  local ids=()
  append_settings
  for id in $(node_ids); do
    launch "$id"
    ids+=("$id")
  done
  if ! wait_ready "${ids[@]}"; then
    echo "cluster.sh: stopping the nodes started" >&2
    terminate "${ids[@]}"
    exit 1
  fi
  echo "cluster of $n nodes serving; client addresses: $(cat "$DIR/client-addresses")"
  cmd_status
  cmd_metrics
}

cmd_stop() {
  require_cluster
  local ids=()
  mapfile -t ids < <(node_ids)
  terminate "${ids[@]}"
  echo "stopped ${ids[*]}"
}

cmd_status() {
  require_cluster
  local id pid
  for id in $(node_ids); do
    pid="$(node_pid "$id")"
    if is_running "$id" && is_paused "$id"; then
      echo "$id ${pid:--} $(client_addr "$id") paused"
    elif is_running "$id"; then
      echo "$id ${pid:--} $(client_addr "$id") running"
    else
      echo "$id ${pid:--} $(client_addr "$id") stopped"
    fi
  done
}

cmd_kill() {
  check_node "$1"
  is_running "$1" || die "$1 is not running"
  local pid
  pid="$(node_pid "$1")"
  kill -KILL "$pid"
  while is_running "$1"; do sleep 0.05; done
  echo "killed $1 (pid $pid)"
}

cmd_pause() {
  check_node "$1"
  is_running "$1" || die "$1 is not running"
  local pid
  pid="$(node_pid "$1")"
  kill -STOP "$pid"
  while ! is_paused "$1"; do sleep 0.05; done
  echo "paused $1 (pid $pid)"
}

cmd_resume() {
  check_node "$1"
  is_running "$1" || die "$1 is not running"
  local pid
  pid="$(node_pid "$1")"
  kill -CONT "$pid"
  while is_paused "$1"; do sleep 0.05; done
  echo "resumed $1 (pid $pid)"
}

cmd_restart() {
  check_node "$1"
  [[ -f "$JAR" ]] || build_server
  if is_running "$1"; then
    terminate "$1"
  fi
  launch "$1"
  wait_ready "$1" || exit 1
  echo "$1 serving on $(client_addr "$1") (pid $(node_pid "$1"))"
  [[ -z "$(metrics_addr "$1")" ]] || echo "$1 metrics: http://$(metrics_addr "$1")/metrics"
}

# Starts one more node that finds the cluster through the others' peer addresses (its config has
# seeds, not members), so an operator can make it a member with `dynamo join`.
cmd_add() {
  require_cluster
  build_server
  local n id ports io_threads seeds kv
  n="$(node_ids | wc -l)"
  id="n$((n + 1))"
  while grep -q "^$id " "$DIR/nodes"; do
    n=$((n + 1))
    id="n$((n + 1))"
  done
  io_threads=$(($(nproc) / (n + 1)))
  ((io_threads >= 1)) || io_threads=1
  ((io_threads <= 4)) || io_threads=4
  read -r -a ports <<<"$(free_ports 3)"
  seeds="$(awk 'NF { print $3 }' "$DIR/nodes" | paste -sd,)"
  mkdir -p "$DIR/$id/data"
  {
    echo "# Written by scripts/cluster.sh add"
    echo "node.id=$id"
    echo "listen.client=127.0.0.1:${ports[0]}"
    echo "listen.peer=127.0.0.1:${ports[1]}"
    echo "listen.metrics=127.0.0.1:${ports[2]}"
    echo "data.dir=data"
    echo "seeds=$seeds"
    echo "network.io-threads=$io_threads"
    for kv in "${SETTINGS[@]}"; do
      echo "$kv"
    done
  } >"$DIR/$id/node.properties"
  echo "$id 127.0.0.1:${ports[0]} 127.0.0.1:${ports[1]} 127.0.0.1:${ports[2]}" >>"$DIR/nodes"
  awk '{ print $2 }' "$DIR/nodes" | paste -sd, >"$DIR/client-addresses"
  launch "$id"
  if ! wait_ready "$id"; then
    terminate "$id"
    exit 1
  fi
  echo "$id serving on 127.0.0.1:${ports[0]}, seeds $seeds"
  echo "$id metrics: http://127.0.0.1:${ports[2]}/metrics"
  echo "make it a member with: scripts/dynamo join $id --commit"
}

cmd_metrics() {
  require_cluster
  local id addr
  for id in $(node_ids); do
    addr="$(metrics_addr "$id")"
    if [[ -n "$addr" ]]; then
      echo "$id http://$addr/metrics"
    else
      echo "$id - (written without a metrics listener: set listen.metrics in $DIR/$id/node.properties)"
    fi
  done
}

cmd_addresses() {
  [[ -f "$DIR/client-addresses" ]] || die "no cluster in $DIR"
  cat "$DIR/client-addresses"
}

cmd_clean() {
  require_cluster
  cmd_stop
  local id
  for id in $(node_ids); do
    rm -rf "${DIR:?}/$id"
  done
  rm -f "$DIR/nodes" "$DIR/client-addresses"
  rmdir "$DIR" 2>/dev/null || true
  echo "removed the cluster in $DIR"
}

# ---- arguments ------------------------------------------------------------------------------

[[ $# -gt 0 ]] || usage
COMMAND="$1"
shift
DIR="${DYNAMO_CLUSTER_DIR:-$ROOT/.cluster}"
NODES=""
SETTINGS=()
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; DIR="$2"; shift 2 ;;
    --dir=*) DIR="${1#--dir=}"; shift ;;
    --nodes) [[ $# -ge 2 ]] || die "--nodes needs a value"; NODES="$2"; shift 2 ;;
    --nodes=*) NODES="${1#--nodes=}"; shift ;;
    --set) [[ $# -ge 2 ]] || die "--set needs KEY=VALUE"; SETTINGS+=("$2"); shift 2 ;;
    --set=*) SETTINGS+=("${1#--set=}"); shift ;;
    -h | --help) usage ;;
    -*) die "unknown option $1" ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
DIR="$(realpath -m -- "$DIR")"
[[ -z "$NODES" || "$COMMAND" == start ]] || die "--nodes applies to start only"
((${#SETTINGS[@]} == 0)) || [[ "$COMMAND" == start || "$COMMAND" == add ]] || die "--set applies to start and add only"
for kv in "${SETTINGS[@]}"; do
  [[ "$kv" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*=.*$ ]] || die "--set: expected KEY=VALUE, got '$kv'"
done
case "$COMMAND" in
  kill | restart | pause | resume) [[ ${#ARGS[@]} -eq 1 ]] || die "$COMMAND takes one node id, e.g. n2" ;;
  *) [[ ${#ARGS[@]} -eq 0 ]] || die "unexpected argument '${ARGS[0]}'" ;;
esac

case "$COMMAND" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill) cmd_kill "${ARGS[0]:-}" ;;
  restart) cmd_restart "${ARGS[0]:-}" ;;
  pause) cmd_pause "${ARGS[0]:-}" ;;
  resume) cmd_resume "${ARGS[0]:-}" ;;
  add) cmd_add ;;
  addresses) cmd_addresses ;;
  metrics) cmd_metrics ;;
  clean) cmd_clean ;;
  -h | --help | help) usage ;;
  *) die "unknown command '$COMMAND' (start, stop, status, kill, restart, pause, resume, add, addresses, metrics, clean)" ;;
esac

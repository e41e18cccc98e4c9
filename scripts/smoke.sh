#!/usr/bin/env bash
# End-to-end check of the local cluster scripts and the CLI, with real processes: starts a cluster in
# a temporary directory, does put/get, makes siblings and resolves them, deletes, kills and restarts
# a node, and stops the cluster (also on failure). Not run by Maven.
#
#   scripts/smoke.sh [--nodes N]     (default 3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODES=3
if [[ "${1:-}" == "--nodes" ]]; then
  NODES="${2:?--nodes needs a value}"
fi

export DYNAMO_CLUSTER_DIR
DYNAMO_CLUSTER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/dynamo-smoke.XXXXXX")"
unset DYNAMO_NODE
cluster() { "$ROOT/scripts/cluster.sh" "$@"; }
dynamo() { "$ROOT/scripts/dynamo" "$@"; }

cleanup() {
  local status=$?
  cluster clean >/dev/null 2>&1 || true
  rm -rf "$DYNAMO_CLUSTER_DIR"
  if ((status != 0)); then
    echo "smoke: FAILED" >&2
  fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "smoke: $*" >&2
  exit 1
}
expect_eq() { [[ "$1" == "$2" ]] || fail "expected '$2', got '$1'"; }
context_of() { sed -n 's/^context: //p' <<<"$1"; }
json_field() { python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[sys.argv[1]]))' "$1"; }

step "start $NODES nodes in $DYNAMO_CLUSTER_DIR"
cluster start --nodes "$NODES"

step "put and get"
out="$(dynamo put smoke greeting hello)"
echo "$out"
[[ -n "$(context_of "$out")" ]] || fail "put printed no context"
out="$(dynamo get smoke greeting)"
echo "$out"
expect_eq "$(head -n1 <<<"$out")" "hello"

step "two blind puts make siblings"
dynamo put smoke cart apple
dynamo --node "$(cut -d, -f2 "$DYNAMO_CLUSTER_DIR/client-addresses")" put smoke cart banana
out="$(dynamo get smoke cart --r 3)"
echo "$out"
json="$(dynamo get smoke cart --r 3 --json)"
echo "$json"
expect_eq "$(json_field siblings <<<"$json")" "2"
expect_eq "$(json_field values <<<"$json" | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))')" "['apple', 'banana']"

step "put with the context resolves them"
dynamo put smoke cart apple,banana --context "$(context_of "$out")"
json="$(dynamo get smoke cart --r 3 --json)"
echo "$json"
expect_eq "$(json_field values <<<"$json")" '["apple,banana"]'

step "delete"
dynamo delete smoke cart
json="$(dynamo get smoke cart --r 3 --json)"
echo "$json"
expect_eq "$(json_field deleted <<<"$json")" "true"
expect_eq "$(json_field siblings <<<"$json")" "0"

step "status"
dynamo status
cluster status

step "kill -9 n2: writes with W=2 still succeed, W=3 fails with exit status 4"
cluster kill n2
grep -q '^n2 .* stopped$' <<<"$(cluster status)" || fail "n2 not shown as stopped"
dynamo put smoke after-kill v1
set +e
dynamo put smoke after-kill v2 --w 3 --timeout 20s --json
status=$?
set -e
expect_eq "$status" "4"

step "restart n2"
cluster restart n2
grep -q '^n2 .* running$' <<<"$(cluster status)" || fail "n2 not shown as running"
dynamo get smoke greeting --r 3

step "errors"
set +e
dynamo get 'bad bucket' k
expect_eq "$?" "3"
dynamo --node 127.0.0.1:1 get smoke k
expect_eq "$?" "6"
set -e

step "stop"
cluster stop
cluster status
if grep -q running <<<"$(cluster status)"; then
  fail "nodes still running after stop"
fi
printf '\nsmoke: OK\n'

#!/usr/bin/env bash
# Builds Dynamo, starts a local 3-node cluster (scripts/cluster.sh, in <checkout>/.cluster) and
# walks through put, get, two conflicting writes that come back as siblings, and the write with
# the merged context that resolves them. The cluster keeps running afterwards.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "$*"; "$@"; }
note() { printf '\033[2m# %s\033[0m\n' "$*"; }

note "building (the first run downloads Maven and the dependencies: a few minutes)"
if [ -x ./mvnw ]; then mvn=./mvnw; else mvn=mvn; fi
"$mvn" -q -B -DskipTests package

if scripts/cluster.sh status 2>/dev/null | grep -q ' running$'; then
  note "a local cluster is already running; using it"
else
  run scripts/cluster.sh start --nodes 3
fi
run scripts/cluster.sh status

key="cart-$(date +%H%M%S)"
run scripts/dynamo put demo greeting "hello, dynamo"
run scripts/dynamo get demo greeting

note "two clients write the same key without reading it first: neither knows of the other"
run scripts/dynamo put demo "$key" apple
run scripts/dynamo put demo "$key" banana
note "both writes are kept, as siblings, with one context that covers them both"
run scripts/dynamo get demo "$key"

context=$(scripts/dynamo get demo "$key" --json | grep -o '"context":"[^"]*"' | cut -d'"' -f4)
note "the application merges the siblings and writes the result with that context"
run scripts/dynamo put demo "$key" "apple,banana" --context "$context"
run scripts/dynamo get demo "$key"

cat <<MSG

The cluster is still running. Try:
  scripts/dynamo status
  scripts/dynamo get demo $key --json
  scripts/cluster.sh kill n2; scripts/dynamo put demo $key cherry --context <context>; scripts/cluster.sh restart n2
Stop it with: scripts/cluster.sh stop
MSG

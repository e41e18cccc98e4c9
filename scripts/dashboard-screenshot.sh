#!/usr/bin/env bash
# Regenerates docs/dashboard.png: DashboardIT starts 3 in-process nodes under a little load, opens
# node 1's dashboard in headless Chromium (/usr/bin/chromium; apt-get install chromium) and
# screenshots it after 24 samples (2 minutes) of the load. See docs/dashboard.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ -x /usr/bin/chromium ]] || { echo "dashboard-screenshot.sh: needs /usr/bin/chromium" >&2; exit 1; }
./mvnw -q -B -pl dynamo-server -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=DashboardIT -Dfailsafe.failIfNoSpecifiedTests=false -Ddashboard.screenshot.samples=24
cp dynamo-server/target/dashboard.png docs/dashboard.png
echo "wrote docs/dashboard.png"

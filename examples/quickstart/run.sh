#!/usr/bin/env bash
# The README's quickstart: installs what is needed, builds hoist, brings up a local test fleet
# (registry, three SSH hosts with their own dockerd, nginx) and deploys the example app to it.
# Run as root on Debian 12. `HOIST_QUICKSTART_KEEP=1` leaves the fleet up afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${HOIST_BUILD_DIR:-$root/build}

"$root/.ci/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target hoist
hoist="$build/hoist"

pipeline=examples/quickstart/hoist.yml
echo "== hoist validate"
"$hoist" -f "$pipeline" validate

echo "== bringing up the local test fleet (3 hosts with dockerd, a registry, nginx on an LB host)"
fleet_env=$("$root/tests/fleet/fleet" up)
if [[ ${HOIST_QUICKSTART_KEEP:-0} != 1 ]]; then
  trap '"$root/tests/fleet/fleet" down >/dev/null 2>&1 || true' EXIT
fi
trap 'exit 130' INT TERM
set -a; . "$fleet_env"; set +a

echo "== hoist plan"
"$hoist" -f "$pipeline" plan
echo "== hoist deploy (build, push, blue/green behind nginx)"
"$hoist" -f "$pipeline" deploy
echo "== hoist status"
"$hoist" -f "$pipeline" status
echo "== through nginx: $FLEET_NGINX_URL/version"
curl -s "$FLEET_NGINX_URL/version"; echo
if [[ ${HOIST_QUICKSTART_KEEP:-0} == 1 ]]; then
  echo "the fleet stays up (HOIST_QUICKSTART_KEEP=1): tests/fleet/fleet down removes it"
else
  echo "tearing the fleet down (HOIST_QUICKSTART_KEEP=1 keeps it up)"
fi

#!/usr/bin/env bash
# The README's quickstart: installs what is needed, builds hoist, brings up a local test fleet
# (registry, three SSH hosts with their own dockerd, nginx) and deploys the example app to it.
# Run as root on Debian 12. `HOIST_QUICKSTART_KEEP=1` leaves the fleet up afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${HOIST_BUILD_DIR:-$root/build}

"$root/.ci/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOIST_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target hoist
hoist="$build/hoist"

pipeline=examples/quickstart/hoist.yml
echo "== hoist validate"
"$hoist" -f "$pipeline" validate
echo "== hoist plan"
"$hoist" -f "$pipeline" plan --tag quickstart

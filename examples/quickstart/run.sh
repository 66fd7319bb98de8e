#!/usr/bin/env bash
# The README's quickstart: installs what is needed, builds hoist, brings up a local test fleet
# (registry, three SSH hosts with their own dockerd, nginx) and deploys the example app to it.
# Run as root on Debian 12. `HOIST_QUICKSTART_KEEP=1` leaves the fleet up afterwards.
#
#   examples/quickstart/run.sh            with the fleet's registry (build, push, hosts pull)
#   examples/quickstart/run.sh --direct   without any registry: the fleet has none, the app is
#                                         built FROM scratch with a static busybox, and hoist sends
#                                         the image to each host over SSH (hoist-direct.yml)
set -euo pipefail
direct=0
case ${1:-} in
  --direct) direct=1;;
  "") ;;
  *) sed -n '2,10p' "$0"; exit 2;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${HOIST_BUILD_DIR:-$root/build}

"$root/.ci/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target hoist
hoist="$build/hoist"

pipeline=examples/quickstart/hoist.yml
fleet_args=()
if ((direct)); then
  # The build context: the app's files, a static busybox from this machine, FROM scratch.
  pipeline=examples/quickstart/hoist-direct.yml
  ctx=$(mktemp -d /tmp/hoist-quickstart.XXXXXX)
  cp -r examples/quickstart/app/www "$ctx/www"
  install -D -m 0755 /bin/busybox "$ctx/bin/busybox"
  sed -e 's|^ARG BASE=.*||' -e 's|^FROM .*|FROM scratch\nCOPY bin/ /bin/|' examples/quickstart/app/Dockerfile >"$ctx/Dockerfile"
  export QUICKSTART_CONTEXT=$ctx
  fleet_args=(--registry none)
fi
echo "== hoist validate"
"$hoist" -f "$pipeline" validate

if ((direct)); then
  echo "== bringing up the local test fleet (3 hosts with dockerd, nginx on an LB host, no registry)"
else
  echo "== bringing up the local test fleet (3 hosts with dockerd, a registry, nginx on an LB host)"
fi
fleet_env=$("$root/tests/fleet/fleet" up "${fleet_args[@]}")
if [[ ${HOIST_QUICKSTART_KEEP:-0} != 1 ]]; then
  trap '"$root/tests/fleet/fleet" down >/dev/null 2>&1 || true; rm -rf "${ctx:-}"' EXIT
else
  trap 'rm -rf "${ctx:-}"' EXIT
fi
trap 'exit 130' INT TERM
set -a; . "$fleet_env"; set +a

if ((!direct)); then
  echo "== hoist accessory boot all (the Redis-like cache; a deploy never touches it)"
  "$hoist" -f "$pipeline" accessory boot all
fi
echo "== hoist plan"
"$hoist" -f "$pipeline" plan
if ((direct)); then echo "== hoist deploy (build, send to each host over SSH, blue/green behind nginx)"
else echo "== hoist deploy (build, push, blue/green behind nginx)"; fi
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

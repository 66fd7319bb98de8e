#!/usr/bin/env bash
# The README's test command: installs what is needed, builds hoist, runs every test.
#   tests/run-all.sh            everything (unit, then the fleet and integration tests, as root)
#   tests/run-all.sh --unit     only the fast unit tests
#   tests/run-all.sh --integration   build, then only the fleet-based integration tests
# Cleans up every fleet it starts, also on failure or Ctrl-C.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${HOIST_BUILD_DIR:-$here/build}
unit_only=0 integration_only=0
[[ ${1:-} == --unit ]] && unit_only=1
[[ ${1:-} == --integration ]] && integration_only=1

section() { printf '\n=== %s ===\n' "$*"; }

section "dependencies"
"$here/.ci/install-deps.sh"

section "build"
# prefix /usr: the package test (below) builds the .deb from this build directory
# line tables only (-g1): the .deb is stripped anyway, and full debug info was a third of the build
# ccache only pays when it already holds objects: a miss costs ~0.5 s more than plain g++ per file
# (it reads and hashes the ~120 MB precompiled header), so a new build directory on a machine with an
# empty cache (CI) builds without it: 8.8 min instead of 11.2. HOIST_CCACHE=ON|OFF decides instead.
ccache_arg=()
if [[ -n ${HOIST_CCACHE:-} ]]; then
  ccache_arg=(-DHOIST_CCACHE="$HOIST_CCACHE")
elif [[ ! -f $build/CMakeCache.txt ]]; then
  cached=$(ccache --print-stats 2>/dev/null | awk '$1 == "files_in_cache" {print $2}')
  if ((${cached:-0} > 0)); then ccache_arg=(-DHOIST_CCACHE=ON); else ccache_arg=(-DHOIST_CCACHE=OFF); fi
fi
echo "ccache: ${ccache_arg[*]:-as configured before in $build}"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX=/usr -DHOIST_BUILD_TESTS=ON "${ccache_arg[@]}" \
  ${HOIST_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j2

if [[ $integration_only == 0 ]]; then
section "unit tests"
ctest --test-dir "$build" -L unit --output-on-failure -j2

if [[ $unit_only == 1 ]]; then exit 0; fi

section "fuzz: the parsers of untrusted input, ${HOIST_FUZZ_SECONDS:-10} s each (clang, libFuzzer, ASan+UBSan)"
fuzz_failed=0
HOIST_FUZZ_BUILD_DIR=${HOIST_FUZZ_BUILD_DIR:-$build-fuzz} "$here/tests/fuzz/run.sh" "${HOIST_FUZZ_SECONDS:-10}" || fuzz_failed=1

fi  # integration_only

# Everything below needs root and network namespaces (the test fleet). Refuse loudly rather than skip.
if [[ $(id -u) != 0 ]]; then
  echo "the fleet and integration tests need root (network namespaces, sshd, dockerd); run as root or use --unit" >&2
  exit 1
fi

failed=${fuzz_failed:-0}
if [[ $integration_only == 0 ]]; then
section "package: the .deb on a clean Debian 12 rootfs, the portable tarball on clean Debian 11 and 12"
# the first run on a machine debootstraps each rootfs into /var/cache/hoist-tests (a minute or two)
ctest --test-dir "$build" -L package -V --timeout 900 || failed=1

for t in "$here"/tests/fleet/test_fleet.sh; do
  [[ -x $t ]] || continue
  section "fleet: $(basename "$t")"
  "$t" || failed=1
done
fi  # integration_only

if ctest --test-dir "$build" -N -L integration 2>/dev/null | grep -q 'Total Tests: [1-9]'; then
  section "integration tests"
  # Two fleets (HOIST_IT_FLEETS), each of 3 docker hosts with a 1 GiB image filesystem of their own,
  # a podman host (the podman tests), every registry flavour, nginx and HAProxy on the LB host and the bastion; ctest runs one test on
  # each at a time (most of a deploy test is waiting: health checks, drains, stop timeouts). All are
  # torn down on any exit, including failures and Ctrl-C.
  fleet_name=${HOIST_IT_FLEET:-hit}
  fleet_subnet=${HOIST_IT_SUBNET:-10.210.40}
  nfleets=${HOIST_IT_FLEETS:-2}
  names=()
  for ((i = 0; i < nfleets; i++)); do names+=("$fleet_name$([[ $i == 0 ]] || echo $((i + 1)))"); done
  trap 'for n in "${names[@]}"; do "$here"/tests/fleet/fleet down --name "$n" >/dev/null 2>&1 || true; done' EXIT
  trap 'exit 130' INT TERM
  spec=$build/integration-fleets.json
  up=1 slots=()
  for ((i = 0; i < nfleets; i++)); do
    n=${names[$i]} sub=${fleet_subnet%.*}.$((${fleet_subnet##*.} + i))
    if fleet_env=$("$here"/tests/fleet/fleet up --name "$n" --subnet "$sub" --registry all --disk-mib 1024 --podman 1); then
      export "HOIST_FLEET_JSON_$n=${fleet_env%/fleet.env}/fleet.json"
      ((i == 0)) && export HOIST_FLEET_JSON=${fleet_env%/fleet.env}/fleet.json
      slots+=("{\"id\": \"$n\", \"slots\": 1}")
    else
      echo "the test fleet $n did not come up; the integration tests cannot run" >&2
      up=0 failed=1
    fi
  done
  if [[ $up == 1 ]]; then
    (IFS=,; printf '{"version": {"major": 1, "minor": 0}, "local": [{"fleets": [%s]}]}\n' "${slots[*]}") >"$spec"
    # Per-test deadlines: the watchdog in each test binary (tests/support/watchdog.hpp) ends a hung
    # test with the stacks of every process it started; ctest's TIMEOUT property is the backstop.
    ctest --test-dir "$build" -L integration --output-on-failure -j "$nfleets" \
      --resource-spec-file "$spec" || failed=1
  fi
fi

exit $failed

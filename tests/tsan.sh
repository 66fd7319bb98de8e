#!/usr/bin/env bash
# ThreadSanitizer: hoist and its tests built with -fsanitize=thread, then the unit tests and the
# push and build integration tests (the code with the most threads: the compressor pool, the upload
# pool, ParallelGzip, build-and-push beside the fleet look) on one test fleet. Any data race ends the
# process with exit 66 and a report naming both accesses, so the run fails.
#
# Not part of tests/run-all.sh: on 2 cores the instrumented build alone takes ~10 min and the
# instrumented runs 5-15x longer, which would take the README's test command past its 25 minutes.
# CI runs it on every push and pull request (.github/workflows/ci.yml, job `threads`).
#   tests/tsan.sh             build, unit tests, fleet, push/build integration tests
#   tests/tsan.sh --unit      build and unit tests only
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${HOIST_TSAN_BUILD_DIR:-$here/build-tsan}

"$here/.ci/install-deps.sh"
# -O1: TSan's reports stay readable and the instrumented code is still fast enough for the fleet tests
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DHOIST_BUILD_TESTS=ON -DHOIST_SANITIZE=thread ${HOIST_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j2 --target hoist hoist_tests hoist_integration_tests

# halt_on_error: the first race fails the test that found it; exitcode 66 tells it from a test failure.
# The libraries hoist calls (libcurl, libssh2, OpenSSL, libdeflate) are not instrumented; nothing is
# suppressed.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 history_size=4 ${TSAN_OPTIONS:-}"

printf '\n=== unit tests under ThreadSanitizer ===\n'
ctest --test-dir "$build" -L unit --output-on-failure -j2
[[ ${1:-} == --unit ]] && exit 0

if [[ $(id -u) != 0 ]]; then
  echo "the push and build integration tests need root (the test fleet); use --unit" >&2
  exit 1
fi
name=${HOIST_TSAN_FLEET:-tsan}
trap '"$here"/tests/fleet/fleet down --name "$name" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
fleet_env=$("$here"/tests/fleet/fleet up --name "$name" --subnet "${HOIST_TSAN_SUBNET:-10.210.48}" --registry all --disk-mib 1024)
export HOIST_FLEET_JSON=${fleet_env%/fleet.env}/fleet.json
export HOIST_STRESS_PUSHES=${HOIST_STRESS_PUSHES:-4}
# the tests' watchdog (tests/support/watchdog.hpp): 400 s a test instead of 150, below ctest's 600
export HOIST_TEST_BUDGET_S=${HOIST_TEST_BUDGET_S:-400}

printf '\n=== push and build integration tests under ThreadSanitizer ===\n'
# Jump: the bastion tunnel's pump thread and concurrent channel opens through it; Push*: open,
# basic and token registries, TTY progress, the stress test; FleetRegistry, RegistryFaults: retries
# and faults; builds: native (oracle against docker build), Engine builder, platforms.
ctest --test-dir "$build" -L integration --output-on-failure \
  -R '^(Jump\.|Push|FleetRegistry\.|RegistryFaults\.|FleetBuild\.|DockerBuilder\.|BuildPlatform\.|Dockerfiles/Oracle)'

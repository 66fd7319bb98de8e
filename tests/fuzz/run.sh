#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for a bounded time.
#   tests/fuzz/run.sh [SECONDS]     seconds per target (default 20; the README's test command uses 10)
#   tests/fuzz/run.sh 600 pipeline  a long run of one target
# Seeds come from tests/fuzz/corpus/<target>/ (read only); what the fuzzer learns goes to
# $HOIST_FUZZ_BUILD_DIR/corpus/<target>/ (default build-fuzz/), crashes to .../findings/<target>/.
# A finding (crash, leak, sanitizer report, an exception other than the documented error, a hang
# past 10 s, more than 2 GB) fails the run; its input is printed so it can become a seed and a test.
# Inputs go up to 1 MiB: stack overflows in recursive matchers and quadratic passes only show on
# inputs far longer than a real file (a 16 KiB cap hid the std::regex crashes).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-20}
shift || true
build=${HOIST_FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=("$@")
((${#targets[@]})) || targets=(pipeline dockerfile dockerignore known_hosts ssh_config www_authenticate registry_json aws_xml
                             tar_index layer_tar http_response balancer_state host_json aws_profile)

command -v clang++ >/dev/null || { echo "tests/fuzz/run.sh: clang++ is needed (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" -j2 -- --quiet >/dev/null

failed=0
for t in "${targets[@]}"; do
  bin=$build/${t}_fuzz
  [[ -x $bin ]] || { echo "no fuzz target '$t'" >&2; exit 2; }
  mkdir -p "$build/corpus/$t" "$build/findings/$t"
  log=$build/findings/$t.log
  # leaks are detected at exit of each run; -error_exitcode makes any finding a non-zero exit
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
     "$bin" "$build/corpus/$t" "$here/corpus/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -max_len=1048576 -artifact_prefix="$build/findings/$t/" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo '?')
    printf 'ok   - fuzz %-17s %8s runs in %s s, coverage %s edges, no finding\n' "$t" "$runs" "$secs" "$cov"
  else
    failed=1
    printf 'FAIL - fuzz %s: a finding (log %s)\n' "$t" "$log"
    grep -E 'ERROR|fuzz finding|SUMMARY|Test unit written|runtime error' "$log" | head -12 | sed 's/^/       /'
  fi
done
exit $failed

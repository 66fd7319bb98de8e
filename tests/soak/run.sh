#!/usr/bin/env bash
# Soak: N consecutive deploys (default 50) on a fleet of its own, alternating two versions and the
# two strategies, under continuous load through nginx. Asserts 0 failed requests, every deploy
# exit 0 and serving its version, and no growth across runs: containers and images per host, the
# open file descriptors hoist holds at the end of a deploy, hoist's peak memory.
#   tests/soak/run.sh [N]        (as root; ~6 s per deploy)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-50}
build=${HOIST_BUILD_DIR:-$here/build}
hoist=$build/hoist
[[ -x $hoist ]] || { echo "build hoist first (cmake --build build)" >&2; exit 2; }
name=soak subnet=${HOIST_SOAK_SUBNET:-10.210.80}
work=$(mktemp -d /tmp/hoist-soak-XXXXXX)
cleanup() { [[ -n ${load_pid:-} ]] && kill "$load_pid" 2>/dev/null; "$here/tests/fleet/fleet" down --name $name >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

env_file=$("$here/tests/fleet/fleet" up --name $name --subnet "$subnet" --no-bastion)
set -a; . "$env_file"; set +a
write() {  # write STRATEGY
  local strategy=$1
  cat >"$work/hoist.yml" <<YML
service: soak
image: $FLEET_IMAGE
registry: { insecure: true }
hosts: [${FLEET_HOSTS// /, }]
ssh: { user: $FLEET_SSH_USER, identity_files: [$FLEET_SSH_KEY], known_hosts: $FLEET_KNOWN_HOSTS }
container: { port: 8080, host_port: 8080, stop_timeout: 1s }
healthcheck: { path: /healthz, interval: 200ms, deadline: 20s }
load_balancer: { type: nginx, host: $FLEET_LB_ADDR, upstream: $FLEET_NGINX_UPSTREAM, config_path: $FLEET_NGINX_UPSTREAM_FILE, drain_time: 1500ms }
strategy: { type: $strategy, ports: { blue: 8081, green: 8082 }, keep_previous: true }
YML
}
# the fleet's nginx starts out pointing at hosts that run nothing: deploy once before the load
write rolling
"$hoist" -f "$work/hoist.yml" deploy --tag v2 >"$work/run-0.out" 2>&1 || { cat "$work/run-0.out" >&2; exit 1; }
"$here/tests/fleet/loadgen" "$FLEET_NGINX_URL" -c 4 --slow 2 --slow-path '/cgi-bin/slow?1' >"$work/load.json" 2>"$work/load.err" &
load_pid=$!
sleep 0.5
printf '%-4s %-10s %-4s %-5s %-9s %-9s %-7s %-10s %s\n' run strategy tag exit seconds containers images hoist_fds max_rss_kb
fail=0
for ((i = 1; i <= n; i++)); do
  tag=$([[ $((i % 2)) == 1 ]] && echo v1 || echo v2)
  strategy=$([[ $(((i - 1) / 2 % 2)) == 0 ]] && echo rolling || echo blue_green)
  write "$strategy"
  t0=$(date +%s.%N)
  set +e; "$hoist" -f "$work/hoist.yml" -o json deploy --tag "$tag" >"$work/run-$i.json" 2>"$work/run-$i.err"; rc=$?; set -e
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  containers=0 images=0
  for s in $FLEET_DOCKER_SOCKETS; do
    containers=$((containers + $(docker -H "unix://$s" ps -aq --filter label=hoist.service=soak | wc -l)))
    images=$((images + $(docker -H "unix://$s" images -q "$FLEET_IMAGE" | sort -u | wc -l)))
  done
  res=$(tail -1 "$work/run-$i.json" | python3 -c 'import json,sys; r=json.load(sys.stdin).get("resources",{}); print(r.get("open_fds","?"), r.get("max_rss_kb","?"))')
  printf '%-4s %-10s %-4s %-5s %-9s %-9s %-7s %-10s %s\n' "$i" "$strategy" "$tag" "$rc" "$secs" "$containers" "$images" $res
  served=$(curl -s "$FLEET_NGINX_URL/version")
  [[ $rc == 0 && $served == "$tag" ]] || { echo "run $i: exit $rc, nginx serves '$served'" >&2; tail -5 "$work/run-$i.err" >&2; fail=1; }
  echo "$i $containers $images $res" >>"$work/growth"
done
kill -TERM "$load_pid"; wait "$load_pid" 2>/dev/null || true; load_pid=""
python3 - "$work/load.json" "$work/growth" <<'PY' || fail=1
import json, sys
load = json.load(open(sys.argv[1]))
rows = [list(map(lambda x: int(x) if x.isdigit() else -1, l.split())) for l in open(sys.argv[2])]
print("load: %d requests, %d non-2xx, %d socket errors" % (load["requests"], load["non2xx"], load["socket_errors"]))
bad = load["non2xx"] + load["socket_errors"]
# growth: the second half of the runs must not hold more than the first half did at its most
half = len(rows) // 2
for col, what in ((1, "containers"), (2, "images"), (3, "hoist open fds"), (4, "hoist max RSS KB")):
    first = max(r[col] for r in rows[:half]) if half else 0
    second = max(r[col] for r in rows[half:])
    limit = first * 1.10 if col == 4 else first
    ok = second <= limit
    print("%-17s first half max %-8d second half max %-8d %s" % (what, first, second, "ok" if ok else "GREW"))
    bad += 0 if ok else 1
sys.exit(1 if bad else 0)
PY
[[ $fail == 0 ]] && echo "soak: $n deploys, all good" || { echo "soak: FAILED (logs in $work)" >&2; exit 1; }
rm -rf "$work"

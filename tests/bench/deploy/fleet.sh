#!/usr/bin/env bash
# Fleet-scale deploy benchmark (issue 18; run by hand, as root; not part of the test suite).
#
# From a changed source tree to N hosts serving it: a one-file change to a tiny app (busybox httpd
# on the fleet's base image, STOPSIGNAL SIGKILL), built, pushed, and rolled out 25% of the hosts at
# a time behind the fleet's real nginx (proxy_next_upstream off) while loadgen sends --rate
# requests/s and keeps 4 slow (2 s) requests in flight. Three tools, the same batch size, in one run:
#
#   hoist    `hoist deploy`: native build, push, rolling max_unavailable 25%, drain_time 10s (a
#            maximum: the drain ends when nginx has no connection left to the batch)
#   script   the hand-written deploy script teams start with: docker build + docker push, every
#            host pulls (parallel ssh, one ControlMaster connection per host), then per batch: the
#            upstream file rewritten with the batch 'down' + nginx -t + reload over ssh, a fixed
#            drain sleep, on each host of the batch at once: docker stop, docker run, curl until
#            healthy; then the batch back (+ reload)
#   ansible  tests/bench/deploy/rolling.yml with serial 25% (after the same docker build + push)
#
# The script and the playbook sleep a fixed --peer-drain (default 2 s: the app's slowest request)
# where hoist watches the connections; that is what each can know. Every run of every tool is
# under load and must end with 0 failed requests and every host serving the new version, or the
# benchmark stops: a run with failures is not a result. hoist's parts (build, push, looking at the
# fleet, pre-flight, each batch) come from its JSON events.
#
#   tests/bench/deploy/fleet.sh [--hosts "20 50"] [--runs 3] [--tools "hoist script ansible"]
#                               [--rate 100] [--subnet 10.210.82] [--hoist build/hoist] [--peer-drain 2]
#
# Needs: .ci/install-deps.sh --bench (ansible-core), a built hoist, dockerd on the controller.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=/dev/null
source "$root/tests/bench/lib.sh"
source "$here/common.sh"
NS="20 50" RUNS=3 TOOLS="hoist script ansible" RATE=100 SUB=10.210.82 HOIST=$root/build/hoist PDRAIN=2
while (($#)); do
  case $1 in
    --hosts) NS=$2; shift 2;; --runs) RUNS=$2; shift 2;; --tools) TOOLS=$2; shift 2;; --rate) RATE=$2; shift 2;;
    --subnet) SUB=$2; shift 2;; --hoist) HOIST=$2; shift 2;; --peer-drain) PDRAIN=$2; shift 2;;
    *) sed -n '2,27p' "$0"; exit 2;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "run as root (the fleet needs network namespaces)" >&2; exit 2; }
[[ -x $HOIST ]] || { echo "no hoist binary at $HOIST (build first, or --hoist PATH)" >&2; exit 2; }
HOIST=$(cd "$(dirname "$HOIST")" && pwd)/$(basename "$HOIST")
[[ " $TOOLS " != *" ansible "* ]] || command -v ansible-playbook >/dev/null ||
  { echo "missing ansible-playbook: run .ci/install-deps.sh --bench" >&2; exit 2; }
MAXN=0; for n in $NS; do ((n > MAXN)) && MAXN=$n; done

NAME=fbench
FLEET=$root/tests/fleet/fleet
work=$(mktemp -d /tmp/hoist-bench-fleet.XXXXXX)
dockerd_pid= load_pid=
cleanup() {
  [[ -z $load_pid ]] || kill "$load_pid" 2>/dev/null || true
  [[ -z $dockerd_pid ]] || { kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null || true; }
  for s in "$work"/cm/*; do [[ -S $s ]] && ssh -o ControlPath="$s" -O exit "${s##*/}" >/dev/null 2>&1 || true; done
  "$FLEET" down --name "$NAME" >/dev/null 2>&1 || true
  [[ -n ${KEEP_WORK:-} ]] || rm -rf "$work"
}
trap cleanup EXIT INT TERM
log() { printf '[bench fleet] %s\n' "$*" >&2; }
fleet_up() {  # N: a fleet of exactly N docker hosts (idle extra hosts would take CPU from the run)
  "$FLEET" down --name "$NAME" >/dev/null 2>&1 || true
  rm -rf "$work"/cm/*
  log "bringing up $1 docker hosts, a registry and nginx"
  "$FLEET" up --name "$NAME" --hosts "$1" --subnet "$SUB" --no-bastion --registry open >/dev/null
  MAXN=$1
  USER_=$(q 'd["ssh"]["user"]') KEY=$(q 'd["ssh"]["identity_file"]') KH=$(q 'd["ssh"]["known_hosts"]')
  LB=$(q 'd["lb"]["address"]') UPFILE=$(q 'd["lb"]["nginx"]["config_path"]') UPLOCAL=$(q 'd["lb"]["nginx"]["config_path_local"]')
  NGINX=$(q 'd["lb"]["nginx"]["url"]')
  read -ra ALL <<<"$(q '" ".join(h["address"] for h in d["hosts"])')"
  read -ra DH <<<"$(q '" ".join(h["docker_host"] for h in d["hosts"])')"
  SSHO=(-o BatchMode=yes -o UserKnownHostsFile="$KH" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
        -o ControlMaster=no -o ControlPath="$work/cm/%h" -i "$KEY" -l "$USER_")
}
FJ=/tmp/hoist-fleet/$NAME/fleet.json
q() { python3 -c "import json,sys; d=json.load(open('$FJ')); print(eval(sys.argv[1]))" "$1"; }
fleet_up "${NS%% *}"
REG=$(q 'd["images"]["registry"]') BASE=$(q 'd["images"]["base"]')
IMAGE=$REG/bench/app

# the app: one file (www/version) changes between runs
app=$work/app; mkdir -p "$app/www/cgi-bin"
cat >"$app/Dockerfile" <<DF
FROM $BASE
COPY www/ /www/
STOPSIGNAL SIGKILL
CMD ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]
DF
echo ok >"$app/www/healthz"
cat >"$app/www/cgi-bin/slow" <<'SLOW'
#!/bin/sh
sleep "${QUERY_STRING:-2}"
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nslow %s\n' "$(cat /www/version)"
SLOW
chmod 755 "$app/www/cgi-bin/slow"

# the peers' docker: a private daemon (no bridge, no iptables) that may push to the fleet's registry
d=$work/docker; mkdir -p "$d"
dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" -H "unix://$d/sock" \
  --exec-opt native.cgroupdriver=cgroupfs --bridge=none --iptables=false --ip6tables=false \
  --insecure-registry "$REG" >"$d/log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 300); do docker -H "unix://$d/sock" info >/dev/null 2>&1 && break; sleep 0.1; done
DK=(docker -H "unix://$d/sock")

batch_of() { echo $(( ($1 + 3) / 4 )); }  # 25%, at least 1

upstream() {  # N [DOWN...]: the upstream file, the hosts in DOWN marked down
  local n=$1 h; shift
  echo "upstream app {"
  for h in "${ALL[@]:0:n}"; do
    if [[ " $* " == *" $h "* ]]; then echo "    server $h:8080 down;"; else echo "    server $h:8080;"; fi
  done
  echo "}"
}

reset_fleet() {  # N: no app containers anywhere, every one of the first N hosts in the pool
  local n=$1 i
  for ((i = 0; i < MAXN; i++)); do
    ids=$(docker -H "${DH[i]}" ps -aq --filter label=hoist.service=app)
    [[ -z $ids ]] || docker -H "${DH[i]}" rm -f $ids >/dev/null
    rm -rf "$(q "d['hosts'][$i]['home']")/.hoist"
  done
  upstream "$n" >"$UPLOCAL"
  "$FLEET" ssh --name "$NAME" lb nginx -s reload >/dev/null 2>&1
}


load_start() { "$root/tests/fleet/loadgen" "$NGINX/version" -c 4 --rate "$RATE" --slow 4 -d 600 >"$work/load.json" 2>/dev/null & load_pid=$!; sleep 1; }
load_stop() {  # TOOL N TAG: asserts 0 failed requests
  sleep 1; kill -INT "$load_pid"; wait "$load_pid" || true; load_pid=
  python3 - "$work/load.json" "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = d["non2xx"] + d["socket_errors"]
if bad or d["ok"] == 0:
    print("%s N=%s %s: %d failed requests of %d (%s): not a result" % (sys.argv[2], sys.argv[3], sys.argv[4], bad,
          d["requests"], d["errors"]), file=sys.stderr)
    sys.exit(1)
print("%d ok, 0 failed, %.0f req/s" % (d["ok"], d["rps"]))
PY
}

# --- hoist
hoist_file() {  # N -> path
  local n=$1 f=$work/hoist-$1.yml
  { echo "service: app"; echo "image: $IMAGE"; echo "registry: { insecure: true }"
    echo "build: { context: $app, builder: native }"
    echo "hosts: [$(IFS=,; echo "${ALL[*]:0:n}" | sed 's/,/, /g')]"
    echo "ssh: { user: $USER_, identity_files: [$KEY], known_hosts: $KH }"
    echo "container: { port: 8080, host_port: 8080, stop_timeout: 10s }"
    echo "healthcheck: { path: /healthz, interval: 200ms, healthy_threshold: 1, deadline: 60s }"
    echo "load_balancer: { type: nginx, host: $LB, upstream: app, config_path: $UPFILE, drain_time: 10s }"
    echo "strategy: { type: rolling, max_unavailable: 25% }"
  } >"$f"
  echo "$f"
}
deploy_hoist() {  # N TAG
  XDG_CACHE_HOME=$work/hoist-cache /usr/bin/time -f "%U %S %M" -o "$work/hoist.time" \
    "$HOIST" -o json -f "$(hoist_file "$1")" deploy --tag "$2" >"$work/hoist.json" 2>"$work/hoist.err" ||
    { echo "hoist deploy failed:" >&2; tail -20 "$work/hoist.err" >&2; exit 1; }
}
hoist_parts() {  # from the JSON events of the last deploy: build push look preflight batch...
  python3 - "$work/hoist.json" "$work/hoist.time" <<'PY'
import json, sys
from datetime import datetime
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
t = lambda e: datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
summ = [e for e in ev if e["event"] == "summary"][-1]
look = [e for e in ev if e["event"] == "phase" and e.get("status") == "finished"][0]["duration_ms"] / 1000
start = [e for e in ev if e["event"] == "phase" and e["phase"] == "rollout" and e["status"] == "started"][0]
pools = [e for e in ev if e["event"] == "step" and e["host"] == "lb" and e["action"] in ("drain", "enable", "switch")]
# a batch: from the pool change that takes it out to the one that puts it back (and the next out)
marks = [t(start)] + [t(p) - p["duration_ms"] / 1000 for p in pools[:1]] + [t(p) for p in pools[1:]]
pre = marks[1] - marks[0]
batches = [marks[i + 1] - marks[i] for i in range(1, len(marks) - 1)]
u, s, rss = open(sys.argv[2]).read().split()[-3:]
print("build %.2f push %.2f look %.2f preflight %.2f batches %s; controller CPU %.2f s, peak RSS %.1f MB" % (
    summ["phases"]["build_ms"] / 1000, summ["phases"]["push_ms"] / 1000, look, pre,
    " ".join("%.2f" % b for b in batches), float(u) + float(s), int(rss) / 1024))
PY
}

# --- the hand-written script
mkdir -p "$work/cm"
masters() {  # one ControlMaster connection per host (and the LB), opened once, as a careful script does
  local h pids=()
  for h in "$@"; do
    [[ -S $work/cm/$h ]] || { ssh -MNf "${SSHO[@]/ControlMaster=no/ControlMaster=yes}" "$h" & pids+=($!); }
  done
  for p in "${pids[@]}"; do wait "$p"; done
}
on_all() {  # CMD HOST...: CMD on every HOST at once; fails when one fails
  local cmd=$1 h pids=() bad=0; shift
  for h in "$@"; do ssh -n "${SSHO[@]}" "$h" "$cmd" >/dev/null & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || bad=1; done
  ((bad == 0)) || { echo "script: '$cmd' failed on a host" >&2; exit 1; }
}
deploy_script() {  # N TAG
  local n=$1 tag=$2 b; b=$(batch_of "$n")
  local hosts=("${ALL[@]:0:n}") i
  "${DK[@]}" build -q -t "$IMAGE:$tag" "$app" >/dev/null 2>&1 && "${DK[@]}" push -q "$IMAGE:$tag" >/dev/null
  masters "${hosts[@]}" "$LB"
  on_all "docker pull -q $IMAGE:$tag" "${hosts[@]}"
  local swap="ids=\$(docker ps -q --filter label=hoist.service=app); [ -z \"\$ids\" ] || docker stop -t 10 \$ids >/dev/null;
    docker rm -f app-$tag >/dev/null 2>&1; docker run -d --name app-$tag --label hoist.service=app -p 8080:8080 $IMAGE:$tag >/dev/null &&
    for k in \$(seq 300); do curl -fsS --max-time 2 http://127.0.0.1:8080/healthz >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1"
  for ((i = 0; i < n; i += b)); do
    local batch=("${hosts[@]:i:b}")
    upstream "$n" "${batch[@]}" | ssh "${SSHO[@]}" "$LB" "cat > $UPFILE && nginx -t 2>/dev/null && nginx -s reload 2>/dev/null"
    sleep "$PDRAIN"
    on_all "$swap" "${batch[@]}"
    upstream "$n" | ssh "${SSHO[@]}" "$LB" "cat > $UPFILE && nginx -t 2>/dev/null && nginx -s reload 2>/dev/null"
  done
}

# --- Ansible
deploy_ansible() {  # N TAG
  local n=$1 tag=$2
  "${DK[@]}" build -q -t "$IMAGE:$tag" "$app" >/dev/null 2>&1 && "${DK[@]}" push -q "$IMAGE:$tag" >/dev/null
  ANSIBLE_PIPELINING=True ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_CONTROL_PATH_DIR=$work/acp \
  ANSIBLE_LOCAL_TEMP=$work/tmp ANSIBLE_REMOTE_TEMP=/tmp/.ansible-bench ANSIBLE_RETRY_FILES_ENABLED=False \
    ansible-playbook -i "$(inventory "$n")" -f "$n" "$here/rolling.yml" \
      -e "image=$IMAGE tag=$tag upstream_file=$UPFILE drain=$PDRAIN stop_timeout=10 health_delay=1 batch=25%" \
      >"$work/ansible.log" 2>&1 || { echo "ansible-playbook failed:" >&2; tail -30 "$work/ansible.log" >&2; exit 1; }
}

declare -A T
seq_no=0
first=1
for n in $NS; do
  ((first)) || fleet_up "$n"
  first=0
  for tool in $TOOLS; do
    times="" parts=""
    reset_fleet "$n"
    seq_no=$((seq_no + 1)); echo "r$seq_no" >"$app/www/version"
    "deploy_$tool" "$n" "r$seq_no"  # the starting version, not timed
    check_serving "r$seq_no" "$n"
    for ((r = 0; r < RUNS; r++)); do
      seq_no=$((seq_no + 1)); tag=r$seq_no; echo "$tag" >"$app/www/version"
      load_start
      t0=$(now); "deploy_$tool" "$n" "$tag"; s=$(secs_since "$t0")
      l=$(load_stop "$tool" "$n" "$tag")
      check_serving "$tag" "$n"
      times+=" $s"
      p=""; [[ $tool != hoist ]] || p=" ($(hoist_parts))"
      # HOIST_BENCH_KEEP=DIR keeps each hoist run's JSON events (per-step timings) for a closer look
      [[ $tool != hoist || -z ${HOIST_BENCH_KEEP:-} ]] || cp "$work/hoist.json" "$HOIST_BENCH_KEEP/hoist-$n-$((r + 1)).json"
      log "N=$n $tool run $((r + 1)): $s s, $l$p"
    done
    T[$tool,$n]=$(echo "$times" | median)
    log "N=$n $tool: median ${T[$tool,$n]} s (runs:$times)"
  done
done

echo
echo "| hosts | hoist | script | Ansible | hoist/script | hoist/Ansible |"
echo "| --- | --- | --- | --- | --- | --- |"
for n in $NS; do
  echo "| $n | ${T[hoist,$n]:-—} s | ${T[script,$n]:-—} s | ${T[ansible,$n]:-—} s | $(ratio "${T[hoist,$n]:-}" "${T[script,$n]:-}") | $(ratio "${T[hoist,$n]:-}" "${T[ansible,$n]:-}") |"
done
echo
echo "one-file change -> build, push, rolling 25% of the hosts at a time behind nginx, under $RATE req/s + 4 slow requests,"
echo "0 failed requests in every run; median of $RUNS; peers drain a fixed ${PDRAIN}s, hoist until idle (at most 10s)"

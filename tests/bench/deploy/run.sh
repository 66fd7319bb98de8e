#!/usr/bin/env bash
# Deploy benchmark (run by hand, as root; not part of the test suite):
# the same rolling deploy (v1 -> v2 of the fleet's test app, one host at a time, behind the fleet's
# real nginx) of 3 and of 10 hosts, by hoist and by an Ansible playbook doing the equivalent safe
# sequence (rolling.yml: pull everywhere first, then per batch: the batch marked down in the nginx
# upstream on the LB host, nginx -t + reload, drain, stop the old container, run the new one, poll
# its health on the host, put it back, reload), with the same drain, stop and health settings, in
# one run. Also hoist's blue/green switch time (from the last new container healthy to nginx
# reloaded with the new colour: `switch_ms` of the JSON summary).
#
#   tests/bench/deploy/run.sh [--hosts "3 10"] [--runs 3] [--subnet 10.210.80] [--hoist build/hoist]
#
# Needs: .ci/install-deps.sh --bench (ansible-core), a built hoist. Each measured run starts from
# the same state: no containers, then v1 deployed by the same tool (not timed), then v2 (timed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=/dev/null
source "$root/tests/bench/lib.sh"
source "$here/common.sh"
NS="3 10" RUNS=3 SUB=10.210.80 HOIST=$root/build/hoist
while (($#)); do
  case $1 in
    --hosts) NS=$2; shift 2;; --runs) RUNS=$2; shift 2;; --subnet) SUB=$2; shift 2;;
    --hoist) HOIST=$2; shift 2;; *) sed -n '2,15p' "$0"; exit 2;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "run as root (the fleet needs network namespaces)" >&2; exit 2; }
[[ -x $HOIST ]] || { echo "no hoist binary at $HOIST (build first, or --hoist PATH)" >&2; exit 2; }
command -v ansible-playbook >/dev/null || { echo "missing ansible-playbook: run .ci/install-deps.sh --bench" >&2; exit 2; }
MAXN=0; for n in $NS; do ((n > MAXN)) && MAXN=$n; done

NAME=dbench
FLEET=$root/tests/fleet/fleet
work=$(mktemp -d /tmp/hoist-bench-deploy.XXXXXX)
cleanup() { "$FLEET" down --name "$NAME" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
log() { printf '[bench deploy] %s\n' "$*" >&2; }
log "bringing up $MAXN docker hosts, a registry and nginx"
"$FLEET" up --name "$NAME" --hosts "$MAXN" --subnet "$SUB" --no-bastion --registry open >/dev/null
FJ=/tmp/hoist-fleet/$NAME/fleet.json
q() { python3 -c "import json,sys; d=json.load(open('$FJ')); print(eval(sys.argv[1]))" "$1"; }
USER_=$(q 'd["ssh"]["user"]') KEY=$(q 'd["ssh"]["identity_file"]') KH=$(q 'd["ssh"]["known_hosts"]')
LB=$(q 'd["lb"]["address"]') UPFILE=$(q 'd["lb"]["nginx"]["config_path"]') UPLOCAL=$(q 'd["lb"]["nginx"]["config_path_local"]')
IMAGE=$(q 'd["images"]["repository"]') NGINX=$(q 'd["lb"]["nginx"]["url"]')
read -ra ALL <<<"$(q '" ".join(h["address"] for h in d["hosts"])')"
read -ra DH <<<"$(q '" ".join(h["docker_host"] for h in d["hosts"])')"

# The same settings for both tools.
DRAIN=1 STOP=1 HEALTH_INTERVAL=1

reset_fleet() {  # N: no app containers anywhere, the upstream file listing the first N hosts
  local n=$1 i
  for ((i = 0; i < MAXN; i++)); do
    ids=$(docker -H "${DH[i]}" ps -aq --filter label=hoist.service=app)
    [[ -z $ids ]] || docker -H "${DH[i]}" rm -f $ids >/dev/null
    rm -rf "$(q "d['hosts'][$i]['home']")/.hoist"
  done
  { echo "upstream app {"; for h in "${ALL[@]:0:n}"; do echo "    server $h:8080;"; done; echo "}"; } >"$UPLOCAL"
  "$FLEET" ssh --name "$NAME" lb nginx -s reload >/dev/null 2>&1
}

hoist_file() {  # N STRATEGY -> path
  local n=$1 strategy=$2 f=$work/hoist-$1-$2.yml
  { echo "service: app"; echo "image: $IMAGE"; echo "registry: { insecure: true }"
    echo "hosts: [$(IFS=,; echo "${ALL[*]:0:n}" | sed 's/,/, /g')]"
    echo "ssh: { user: $USER_, identity_files: [$KEY], known_hosts: $KH }"
    echo "container: { port: 8080, host_port: 8080, stop_timeout: ${STOP}s }"
    echo "healthcheck: { path: /healthz, interval: ${HEALTH_INTERVAL}s, healthy_threshold: 1, deadline: 60s }"
    echo "load_balancer: { type: nginx, host: $LB, upstream: app, config_path: $UPFILE, drain_time: ${DRAIN}s }"
    if [[ $strategy == rolling ]]; then echo "strategy: { type: rolling, max_unavailable: 1 }"
    else echo "strategy: { type: blue_green, ports: { blue: 8081, green: 8082 } }"; fi
  } >"$f"
  echo "$f"
}



run_hoist() {  # N TAG -> seconds
  local f t0; f=$(hoist_file "$1" rolling); t0=$(now)
  "$HOIST" -q -f "$f" deploy --tag "$2" --skip-build >"$work/hoist.log" 2>&1 || { echo "hoist deploy failed:" >&2; tail -20 "$work/hoist.log" >&2; exit 1; }
  secs_since "$t0"
}

run_ansible() {  # N TAG -> seconds
  local inv t0; inv=$(inventory "$1"); t0=$(now)
  ANSIBLE_PIPELINING=True ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_CONTROL_PATH_DIR=$work/cp \
  ANSIBLE_LOCAL_TEMP=$work/tmp ANSIBLE_REMOTE_TEMP=/tmp/.ansible-bench ANSIBLE_RETRY_FILES_ENABLED=False \
    ansible-playbook -i "$inv" -f "$1" "$here/rolling.yml" \
      -e "image=$IMAGE tag=$2 upstream_file=$UPFILE drain=$DRAIN stop_timeout=$STOP health_delay=$HEALTH_INTERVAL" \
      >"$work/ansible.log" 2>&1 || { echo "ansible-playbook failed:" >&2; tail -30 "$work/ansible.log" >&2; exit 1; }
  secs_since "$t0"
}


declare -A T
for n in $NS; do
  for tool in hoist ansible; do
    times=""
    for ((r = 0; r < RUNS; r++)); do
      reset_fleet "$n"
      "run_$tool" "$n" v1 >/dev/null
      check_serving v1 "$n"
      s=$("run_$tool" "$n" v2)
      check_serving v2 "$n"
      times+=" $s"
    done
    T[$tool,$n]=$(echo "$times" | median)
    log "N=$n $tool rolling v1->v2: ${T[$tool,$n]} s (runs:$times)"
  done
done

# blue/green switch: deploy v1 then v2 blue/green, read switch_ms from the summary
sw=""
n=${NS%% *}
for ((r = 0; r < RUNS; r++)); do
  reset_fleet "$n"
  f=$(hoist_file "$n" blue_green)
  "$HOIST" -q -f "$f" deploy --tag v1 --skip-build >/dev/null 2>&1
  ms=$("$HOIST" -q -o json -f "$f" deploy --tag v2 --skip-build 2>/dev/null | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["switch_ms"])')
  v=$(curl -fsS --max-time 3 "$NGINX/version" || true)
  [[ $v == v2 ]] || { echo "nginx routes to '$v' after the blue/green deploy, not v2" >&2; exit 1; }
  sw+=" $ms"
done
log "blue/green switch_ms (N=$n):$sw"

echo
echo "| hosts | hoist rolling | Ansible rolling | hoist/Ansible |"
echo "| --- | --- | --- | --- |"
for n in $NS; do echo "| $n | ${T[hoist,$n]} s | ${T[ansible,$n]} s | $(ratio "${T[hoist,$n]}" "${T[ansible,$n]}") |"; done
echo
echo "blue/green switch (last new container healthy -> nginx switched), ${NS%% *} hosts, median of $RUNS: $(echo "$sw" | median) ms"
echo "settings: drain ${DRAIN}s, stop timeout ${STOP}s, health every ${HEALTH_INTERVAL}s until 1 pass, one host per batch"

#!/usr/bin/env bash
# Registry-less transfer benchmark (run by hand, as root; not part of the test suite):
# getting a release into every host's dockerd, four ways, in one run on the same fleet:
#
#   direct   hoist push --to-hosts (registry.direct): each host's layers looked at, only the
#            missing ones streamed over hoist's SSH connections into `docker load`
#   registry hoist push to the fleet's registry, then `docker pull` on every host in parallel
#            (ssh per host): what a deploy with a registry does
#   save     `docker save`-format tar piped into `ssh host docker load` per host, in parallel
#            (unregistry's `docker pussh` without its registry; the tar is made once, untimed)
#   tunnel   Kamal 2.8's way: a registry on the deploying machine (127.0.0.1), the image pushed
#            there (skopeo), then every host pulls 127.0.0.1:PORT/... through `ssh -R`
#
# The image (tests/bench/push/mkimage.py --app-version): ~110 MB text + ~90 MB random + a small
# version layer, ~200 MB. v1 goes to hosts without images (cold), then v2, where only the small
# layer changed. Bytes on the wire are reported for direct (its own count) and save (the tar size).
#
#   tests/bench/direct/run.sh [--hosts "3 20"] [--runs 3] [--subnet 10.210.81] [--scale 1.0]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=/dev/null
source "$root/tests/bench/lib.sh"
NS="3 20" RUNS=3 SUB=10.210.81 SCALE=1.0 HOIST=$root/build/hoist
while (($#)); do
  case $1 in
    --hosts) NS=$2; shift 2;; --runs) RUNS=$2; shift 2;; --subnet) SUB=$2; shift 2;;
    --scale) SCALE=$2; shift 2;; --hoist) HOIST=$2; shift 2;; *) sed -n '2,18p' "$0"; exit 2;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "run as root (the fleet needs network namespaces)" >&2; exit 2; }
[[ -x $HOIST ]] || { echo "no hoist binary at $HOIST (build first, or --hoist PATH)" >&2; exit 2; }
MAXN=0; for n in $NS; do ((n > MAXN)) && MAXN=$n; done

NAME=xbench
FLEET=$root/tests/fleet/fleet
work=$(mktemp -d /tmp/hoist-bench-direct.XXXXXX)
reg_pid=
cleanup() {
  [[ -n $reg_pid ]] && { kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null || true; }
  "$FLEET" down --name "$NAME" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
log() { printf '[bench direct] %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

log "bringing up $MAXN docker hosts and a registry"
"$FLEET" up --name "$NAME" --hosts "$MAXN" --subnet "$SUB" --no-bastion --no-lb --registry open --disk-mib 2048 >/dev/null
fleet_vars "/tmp/hoist-fleet/$NAME/fleet.json"

export XDG_CACHE_HOME=$work/cache
mkdir -p "$XDG_CACHE_HOME/hoist"
log "making v1 and v2 (scale $SCALE) into the local store and as docker-save tars"
for v in v1 v2; do
  python3 "$root/tests/bench/push/mkimage.py" "$work/$v.tar" --scale "$SCALE" --app-version "$v" --tag "bench/app:$v"
  skopeo copy -q --dest-compress --dest-compress-format gzip "docker-archive:$work/$v.tar" \
    "oci:$XDG_CACHE_HOME/hoist:bench/app:$v"
  skopeo copy -q --dest-compress --dest-compress-format gzip "docker-archive:$work/$v.tar" \
    "oci:$XDG_CACHE_HOME/hoist:$REGISTRY/bench/app:$v"
done

pipeline() {  # N DIRECT -> path
  local f=$work/hoist-$1-$2.yml
  { echo "service: app"
    if [[ $2 == direct ]]; then echo "image: bench/app"; echo "registry: { direct: true }"
    else echo "image: $REGISTRY/bench/app"; echo "registry: { insecure: true }"; fi
    echo "hosts: [$(IFS=,; echo "${ALL[*]:0:$1}" | sed 's/,/, /g')]"
    echo "ssh: { user: $USER_, identity_files: [$KEY], known_hosts: $KH, max_parallel: 64 }"
    echo "container: { port: 8080 }"
  } >"$f"
  echo "$f"
}

reset_hosts() {  # no images on any host, an empty registry repository
  local i
  for ((i = 0; i < MAXN; i++)); do docker -H "${DH[i]}" image prune -af >/dev/null 2>&1 || true; done
  rm -rf "$(q 'd["registry"]["storage"]')/docker/registry/v2/repositories/bench"
}

on_hosts() {  # N COMMAND...: the command on the first N hosts in parallel over ssh; fails if any fails
  local n=$1; shift
  printf '%s\n' "${ALL[@]:0:n}" | xargs -P "$n" -I{} "${SSH[@]}" {} "$@"
}

direct_bytes() {  # what the last direct run sent, all hosts
  python3 -c "
import json
print(sum(json.loads(l).get('bytes', 0) for l in open('$work/direct.json') if '\"event\":\"sent\"' in l))"
}
run_direct() {  # N TAG -> seconds
  local f t0; f=$(pipeline "$1" direct); t0=$(now)
  "$HOIST" -q -o json -f "$f" push --to-hosts --tag "$2" >"$work/direct.json" 2>"$work/direct.err" ||
    { echo "hoist push --to-hosts failed:" >&2; tail -20 "$work/direct.err" >&2; exit 1; }
  secs_since "$t0"
}

run_registry() {  # N TAG -> seconds: push, then every host pulls
  local f t0; f=$(pipeline "$1" registry); t0=$(now)
  "$HOIST" -q -f "$f" push --tag "$2" >"$work/push.log" 2>&1 || { tail -20 "$work/push.log" >&2; exit 1; }
  on_hosts "$1" docker pull -q "$REGISTRY/bench/app:$2" >/dev/null
  secs_since "$t0"
}

run_save() {  # N TAG -> seconds: the docker-save tar into docker load on every host
  local t0; t0=$(now)
  printf '%s\n' "${ALL[@]:0:$1}" |
    xargs -P "$1" -I{} sh -c '"$@" < '"$work/$2.tar" _ "${SSH[@]}" {} docker load -q >/dev/null
  secs_since "$t0"
}

run_tunnel() {  # N TAG -> seconds: a registry here, pushed to, pulled through ssh -R
  local t0 port; t0=$(now)
  port=$(free_port)
  cat >"$work/local-reg.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/local-reg}}
http: {addr: 127.0.0.1:$port}
YML
  docker-registry serve "$work/local-reg.yml" >>"$work/local-reg.log" 2>&1 & reg_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.05; done
  skopeo copy -q --dest-tls-verify=false "oci:$XDG_CACHE_HOME/hoist:bench/app:$2" "docker://127.0.0.1:$port/bench/app:$2"
  printf '%s\n' "${ALL[@]:0:$1}" |
    xargs -P "$1" -I{} "${SSH[@]}" -o ExitOnForwardFailure=yes -R "$port:127.0.0.1:$port" {} \
      docker pull -q "127.0.0.1:$port/bench/app:$2" >/dev/null
  kill "$reg_pid"; wait "$reg_pid" 2>/dev/null || true; reg_pid=
  secs_since "$t0"
}

check_loaded() {  # N TAG-REF: every host has it
  local i
  for ((i = 0; i < $1; i++)); do
    docker -H "${DH[i]}" image inspect "$2" >/dev/null 2>&1 || { echo "host ${ALL[i]} lacks $2" >&2; exit 1; }
  done
}

declare -A COLD WARM
for n in $NS; do
  for way in direct registry save tunnel; do
    cold="" warm=""
    for ((r = 0; r < RUNS; r++)); do
      reset_hosts
      rm -rf "$work/local-reg"
      s=$("run_$way" "$n" v1); cold+=" $s"
      if [[ $way == direct ]]; then bytes1=$(direct_bytes); fi
      s=$("run_$way" "$n" v2); warm+=" $s"
      if [[ $way == direct ]]; then bytes2=$(direct_bytes); fi
      case $way in
        direct) check_loaded "$n" bench/app:v2;; registry) check_loaded "$n" "$REGISTRY/bench/app:v2";;
        save) check_loaded "$n" bench/app:v2;; tunnel) ;;  # each pull's exit status was checked
      esac
    done
    COLD[$way,$n]=$(echo "$cold" | median) WARM[$way,$n]=$(echo "$warm" | median)
    log "N=$n $way: v1 cold ${COLD[$way,$n]} s (runs:$cold), v2 ${WARM[$way,$n]} s (runs:$warm)"
    if [[ $way == direct ]]; then log "N=$n direct bytes on the wire: v1 $bytes1, v2 $bytes2 (all hosts)"; fi
  done
done

best_other() { printf '%s\n' "$@" | sort -g | head -1; }
echo
echo "| hosts | release | direct | registry | save+ssh | ssh -R registry | direct / best other |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for n in $NS; do
  b=$(best_other "${COLD[registry,$n]}" "${COLD[save,$n]}" "${COLD[tunnel,$n]}")
  echo "| $n | v1, empty hosts | ${COLD[direct,$n]} s | ${COLD[registry,$n]} s | ${COLD[save,$n]} s | ${COLD[tunnel,$n]} s | $(ratio "${COLD[direct,$n]}" "$b") |"
  b=$(best_other "${WARM[registry,$n]}" "${WARM[save,$n]}" "${WARM[tunnel,$n]}")
  echo "| $n | v2, one small layer changed | ${WARM[direct,$n]} s | ${WARM[registry,$n]} s | ${WARM[save,$n]} s | ${WARM[tunnel,$n]} s | $(ratio "${WARM[direct,$n]}" "$b") |"
done
echo
echo "save+ssh sends the whole tar to every host each time: $(stat -c %s "$work/v1.tar") bytes per host"

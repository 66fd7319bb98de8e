#!/usr/bin/env bash
# How a host's dockerd takes in a release where one small layer changed, three ways, in one run on
# the same fleet (run by hand, as root; not part of the test suite). Issue 20 asks to measure the
# CLI's `docker load` against the Engine API's `POST /images/load` through `direct-streamlocal`;
# a pull from a registry is the yardstick. Every way starts from hosts that hold v1 and pays for
# one SSH connection per host; all hosts in parallel:
#
#   cli    ssh host 'docker load; docker tag' < tar        what hoist's registry.direct runs today
#          (`sh`, two CLI processes on the host)
#   api    ssh -L local.sock:<docker socket> (OpenSSH's direct-streamlocal), then
#          POST /images/load and POST /images/{id}/tag   no process on the host but sshd
#   pull   ssh host docker pull <registry>/...:v2        (v2 pushed beforehand, untimed)
#
# Then the same three on each host's docker socket straight from the benchmark's machine (no SSH),
# which shows what dockerd itself and the CLI's start cost.
#
# The tar holds only the changed layer (the manifest names all three, as hoist sends it).
#
#   tests/bench/direct/load-ways.sh [--hosts "3 20"] [--runs 5] [--subnet 10.210.82]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=/dev/null
source "$root/tests/bench/lib.sh"
NS="3 20" RUNS=5 SUB=10.210.82
while (($#)); do
  case $1 in
    --hosts) NS=$2; shift 2;; --runs) RUNS=$2; shift 2;; --subnet) SUB=$2; shift 2;;
    *) sed -n '2,17p' "$0"; exit 2;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "run as root (the fleet needs network namespaces)" >&2; exit 2; }
MAXN=0; for n in $NS; do ((n > MAXN)) && MAXN=$n; done
NAME=xloads
FLEET=$root/tests/fleet/fleet
work=$(mktemp -d /tmp/hoist-bench-loads.XXXXXX)
fwd_pids=()
cleanup() {
  ((${#fwd_pids[@]})) && kill "${fwd_pids[@]}" 2>/dev/null || true
  "$FLEET" down --name "$NAME" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
log() { printf '[bench load-ways] %s\n' "$*" >&2; }
log "bringing up $MAXN docker hosts and a registry"
"$FLEET" up --name "$NAME" --hosts "$MAXN" --subnet "$SUB" --no-bastion --no-lb --registry open >/dev/null
fleet_vars "/tmp/hoist-fleet/$NAME/fleet.json"

log "making v1 and v2 (one small layer changed)"
for v in v1 v2; do
  python3 "$root/tests/bench/push/mkimage.py" "$work/$v.tar" --scale 0.1 --app-version "$v" --tag "bench/app:$v" >/dev/null
  skopeo copy -q --dest-tls-verify=false "docker-archive:$work/$v.tar" "docker://$REGISTRY/bench/app:$v"
done
# v2's tar with only the layer v1 lacks, as hoist composes it (the manifest still names all three)
mkdir "$work/v2x"
tar xf "$work/v2.tar" -C "$work/v2x"
config=$(python3 -c "import json; print(json.load(open('$work/v2x/manifest.json'))[0]['Config'])")
id=${config%.json}
python3 - "$work/v1.tar" "$work/v2x" <<'PY'
import json, os, shutil, sys, tarfile
have = {m.name.split("/")[0] for m in tarfile.open(sys.argv[1]) if m.name.endswith("/layer.tar")}
for d in os.listdir(sys.argv[2]):
    if d in have:
        shutil.rmtree(os.path.join(sys.argv[2], d))
# no names in it: the host is told the image's ID and tags it after checking it (as hoist does)
m = os.path.join(sys.argv[2], "manifest.json")
doc = json.load(open(m))
doc[0]["RepoTags"] = None
json.dump(doc, open(m, "w"))
if os.path.exists(os.path.join(sys.argv[2], "repositories")):
    os.remove(os.path.join(sys.argv[2], "repositories"))
PY
(cd "$work/v2x" && tar cf "$work/v2-changed.tar" ./*)
log "v2's changed layer: $(stat -c %s "$work/v2-changed.tar") bytes to send"

prepare() {  # N: v1 on the first N hosts (from the registry, so a pull knows its layers), no v2
  local i
  for ((i = 0; i < $1; i++)); do
    docker -H "${DH[i]}" pull -q "$REGISTRY/bench/app:v1" >/dev/null
    docker -H "${DH[i]}" tag "$REGISTRY/bench/app:v1" bench/app:v1
    docker -H "${DH[i]}" rmi -f "$REGISTRY/bench/app:v2" bench/app:v2 "$id" >/dev/null 2>&1 || true
  done
}
on_hosts() {  # N FN: FN INDEX on the first N hosts in parallel; fails if any fails
  local n=$1 fn=$2 i pids=() bad=0
  for ((i = 0; i < n; i++)); do "$fn" "$i" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || bad=1; done
  return $bad
}
one_cli() {
  "${SSH[@]}" "${ALL[$1]}" "sh -c 'out=\$(docker load --quiet) || exit 1; case \"\$out\" in *$id*) ;; *) exit 1;; esac; docker tag $id bench/app:v2'" \
    <"$work/v2-changed.tar" >/dev/null
}
one_api() {
  local sock=$work/fwd-$1.sock sock_remote=${DH[$1]#unix://} i pid
  rm -f "$sock"
  "${SSH[@]}" -o ExitOnForwardFailure=yes -o StreamLocalBindUnlink=yes -N -L "$sock:$sock_remote" "${ALL[$1]}" &
  pid=$!
  for ((i = 0; i < 400; i++)); do [[ -S $sock ]] && break; sleep 0.005; done
  [[ -S $sock ]] || { kill "$pid"; echo "no forward to ${ALL[$1]}" >&2; return 1; }
  local out
  out=$(curl -sS --max-time 60 --unix-socket "$sock" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary @"$work/v2-changed.tar" 'http://docker/images/load?quiet=1')
  [[ $out == *"$id"* ]] || { kill "$pid"; echo "${ALL[$1]}: $out" >&2; return 1; }
  curl -sSf --max-time 60 --unix-socket "$sock" -X POST "http://docker/images/sha256:$id/tag?repo=bench/app&tag=v2"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
# the same three on the host's socket straight from here, without SSH: what dockerd and the CLI cost
local_cli() {
  local out
  out=$(docker -H "${DH[$1]}" load --quiet <"$work/v2-changed.tar") && [[ $out == *"$id"* ]] &&
    docker -H "${DH[$1]}" tag "$id" bench/app:v2
}
local_api() {
  local out
  out=$(curl -sS --max-time 60 --unix-socket "${DH[$1]#unix://}" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary @"$work/v2-changed.tar" 'http://docker/images/load?quiet=1') && [[ $out == *"$id"* ]] &&
    curl -sSf --max-time 60 --unix-socket "${DH[$1]#unix://}" -X POST "http://docker/images/sha256:$id/tag?repo=bench/app&tag=v2"
}
local_pull() { docker -H "${DH[$1]}" pull -q "$REGISTRY/bench/app:v2" >/dev/null; }
one_pull() { "${SSH[@]}" "${ALL[$1]}" docker pull -q "$REGISTRY/bench/app:v2" >/dev/null; }
check() {  # N REF: every host has it, as v2's ID
  local i got
  for ((i = 0; i < $1; i++)); do
    got=$(docker -H "${DH[i]}" image inspect --format '{{.Id}}' "$2")
    [[ $got == "sha256:$id" ]] || { echo "host ${ALL[i]}: $2 is $got, not sha256:$id" >&2; exit 1; }
  done
}

declare -A T
for n in $NS; do
  for way in cli api pull local_cli local_api local_pull; do
    times=""
    for ((r = 0; r < RUNS; r++)); do
      prepare "$n"
      t0=$(now)
      fn=one_$way; [[ $way == local_* ]] && fn=$way
      on_hosts "$n" "$fn" || { echo "$way on $n hosts failed" >&2; exit 1; }
      times+=" $(secs_since "$t0")"
      if [[ $way == *pull ]]; then check "$n" "$REGISTRY/bench/app:v2"; else check "$n" bench/app:v2; fi
    done
    T[$way,$n]=$(echo "$times" | median)
    log "N=$n $way: median ${T[$way,$n]} s (runs:$times)"
  done
done
echo
echo "| hosts | path | docker load (CLI) | POST /images/load | docker pull | API / CLI | CLI / pull | API / pull |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for n in $NS; do
  for via in ssh local; do
    c=cli a=api p=pull label="over SSH"
    [[ $via == local ]] && c=local_cli a=local_api p=local_pull label="socket, no SSH"
    echo "| $n | $label | ${T[$c,$n]} s | ${T[$a,$n]} s | ${T[$p,$n]} s | $(ratio "${T[$a,$n]}" "${T[$c,$n]}") |" \
         "$(ratio "${T[$c,$n]}" "${T[$p,$n]}") | $(ratio "${T[$a,$n]}" "${T[$p,$n]}") |"
  done
done

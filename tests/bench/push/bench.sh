#!/usr/bin/env bash
# Push benchmark (run by hand, not by the test suite):
#
#   tests/bench/push/bench.sh [--runs N] [--docker] [--scale S] [--hoist PATH]
#
# One deterministic image (mkimage.py: 3 layers, ~230 MB uncompressed, text + random + mixed) as a
# docker-archive: the same source for every tool. Each run starts an EMPTY docker-registry on a new
# 127.0.0.1 port (no tool can find blobs from an earlier run), and hoist gets an empty cache, so a
# cold push compresses and uploads everything. Measured, median of N runs, interleaved:
#   cold push   hoist push --from docker-archive:  vs  skopeo copy docker-archive: docker://
#               (and docker push from a private dockerd with --docker: `docker load` first, untimed)
#   re-push     hoist push of the unchanged image to the same registry (expects zero blob bytes)
# Prints the medians and the ratios hoist/skopeo and hoist/docker. Needs root only for --docker.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
runs=5 with_docker=0 scale=1.0 hoist=${HOIST:-$root/build/hoist}
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2;; --docker) with_docker=1; shift;; --scale) scale=$2; shift 2;;
    --hoist) hoist=$2; shift 2;; *) sed -n '2,15p' "$0"; exit 2;;
  esac
done
[[ -x $hoist ]] || { echo "no hoist binary at $hoist (build first or pass --hoist)" >&2; exit 2; }
work=$(mktemp -d /tmp/hoist-bench-push-XXXXXX)
reg_pid= dockerd_pid=
cleanup() {
  [[ -n $reg_pid ]] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  [[ -n $dockerd_pid ]] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

log() { printf '[bench] %s\n' "$*" >&2; }
now() { date +%s.%N; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

archive=$work/image.tar
log "making the image (scale $scale)"
python3 "$here/mkimage.py" "$archive" --scale "$scale" --tag hoist-bench:latest
log "image: $(du -m "$archive" | cut -f1) MB docker-archive"

registry_up() {  # fresh storage and port; sets REG
  [[ -n $reg_pid ]] && { kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null || true; }
  rm -rf "$work/storage"; local port; port=$(free_port)
  cat >"$work/reg.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: 127.0.0.1:$port}
YML
  docker-registry serve "$work/reg.yml" >>"$work/registry.log" 2>&1 & reg_pid=$!
  REG=127.0.0.1:$port
  for _ in $(seq 100); do curl -sf "http://$REG/v2/" >/dev/null && return; sleep 0.05; done
  echo "registry did not start" >&2; exit 1
}

if [[ $with_docker == 1 ]]; then
  d=$work/docker; mkdir -p "$d"
  # A private daemon: no bridge, no iptables, so nothing of the host's networking changes.
  dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" -H "unix://$d/sock" \
    --exec-opt native.cgroupdriver=cgroupfs --bridge=none --iptables=false --ip6tables=false \
    >"$d/log" 2>&1 & dockerd_pid=$!
  for _ in $(seq 100); do docker -H "unix://$d/sock" info >/dev/null 2>&1 && break; sleep 0.1; done
  docker -H "unix://$d/sock" load -q -i "$archive" >/dev/null
fi

declare -a t_hoist t_skopeo t_docker t_repush
for i in $(seq "$runs"); do
  registry_up; cache=$work/cache-$i; rm -rf "$cache"
  t0=$(now); XDG_CACHE_HOME=$cache "$hoist" -q push --from "docker-archive:$archive" --to "$REG/bench/app:v1" >/dev/null
  t1=$(now); t_hoist+=("$(echo "$t1 - $t0" | bc)")
  t0=$(now); out=$(XDG_CACHE_HOME=$cache "$hoist" -o json push --from "docker-archive:$archive" --to "$REG/bench/app:v1")
  t1=$(now); t_repush+=("$(echo "$t1 - $t0" | bc)")
  sent=$(printf '%s\n' "$out" | python3 -c 'import sys,json
for l in sys.stdin:
  e=json.loads(l)
  if e.get("event")=="pushed": print(e["bytes_sent"])')
  [[ $sent == 0 ]] || { echo "re-push sent $sent blob bytes, expected 0" >&2; exit 1; }

  registry_up
  t0=$(now); skopeo copy -q --dest-tls-verify=false "docker-archive:$archive" "docker://$REG/bench/app:v1" >/dev/null
  t1=$(now); t_skopeo+=("$(echo "$t1 - $t0" | bc)")

  if [[ $with_docker == 1 ]]; then
    registry_up
    docker -H "unix://$d/sock" tag hoist-bench:latest "$REG/bench/app:v1"
    t0=$(now); docker -H "unix://$d/sock" push "$REG/bench/app:v1" >/dev/null
    t1=$(now); t_docker+=("$(echo "$t1 - $t0" | bc)")
  fi
  log "run $i: hoist ${t_hoist[-1]} s, re-push ${t_repush[-1]} s, skopeo ${t_skopeo[-1]} s$([[ $with_docker == 1 ]] && echo ", docker ${t_docker[-1]} s")"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mh=$(median "${t_hoist[@]}"); ms=$(median "${t_skopeo[@]}"); mr=$(median "${t_repush[@]}")
printf '\ncold push, median of %d: hoist %.2f s, skopeo copy %.2f s  -> hoist/skopeo = %.2f (target <= 0.5)\n' "$runs" "$mh" "$ms" "$(echo "$mh / $ms" | bc -l)"
if [[ $with_docker == 1 ]]; then
  md=$(median "${t_docker[@]}")
  printf 'cold push, median of %d: docker push %.2f s  -> hoist/docker = %.2f (target <= 0.25)\n' "$runs" "$md" "$(echo "$mh / $md" | bc -l)"
fi
printf 're-push of the unchanged image: hoist %.3f s, 0 blob bytes (target < 0.2 s)\n' "$mr"
printf 'load average during the run: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Build benchmark (run by hand, as root; not part of the test suite):
#
#   tests/bench/build/bench.sh [--scale S] [--hoist PATH] [--no-buildah]
#
# One deterministic build context (mkcontext.py: 3 COPY layers, ~230 MB, text + random + mixed)
# built and pushed, in one run, by
#   hoist      hoist build + hoist push        (native builder, its own empty cache)
#   docker     docker build + docker push      (a private dockerd started here, empty; classic builder)
#   buildah    buildah bud --layers + buildah push   (private storage root)
# each into its own EMPTY docker-registry on 127.0.0.1 (nothing is found from another tool or run).
# Three steps per tool: cold build+push; unchanged rebuild+push; rebuild+push after changing one
# small file of the top layer. Prints the times and the ratios hoist/docker and hoist/buildah.
# Targets (issue 5): cold <= 0.2 x docker; unchanged < 0.3 s; one-file change <= 0.1 x docker.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
scale=1.0 hoist=${HOIST:-$root/build/hoist} with_buildah=1
while (($#)); do
  case $1 in
    --scale) scale=$2; shift 2;; --hoist) hoist=$2; shift 2;; --no-buildah) with_buildah=0; shift;;
    *) sed -n '2,15p' "$0"; exit 2;;
  esac
done
[[ -x $hoist ]] || { echo "no hoist binary at $hoist (build first or pass --hoist)" >&2; exit 2; }
((with_buildah == 0)) || command -v buildah >/dev/null || { echo "buildah is not installed (apt-get install buildah, or --no-buildah)" >&2; exit 2; }
work=$(mktemp -d /tmp/hoist-bench-build-XXXXXX)
declare -a reg_pids=()
dockerd_pid=
cleanup() {
  for p in "${reg_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  if [[ -n $dockerd_pid ]]; then kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null || true; fi
  if [[ -d $work/buildah ]]; then buildah --root "$work/buildah/root" --runroot "$work/buildah/run" rm --all >/dev/null 2>&1 || true; umount -R "$work/buildah/root/overlay" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
log() { printf '[bench] %s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

registry_up() {  # a fresh, empty registry; sets reg=host:port (not in $(...): its pid must reach cleanup)
  local port dir; port=$(free_port); dir=$work/reg-$port; mkdir -p "$dir"
  printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' "$dir/storage" "$port" >"$dir/reg.yml"
  docker-registry serve "$dir/reg.yml" >>"$dir/log" 2>&1 &
  reg_pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && { reg=127.0.0.1:$port; return; }; sleep 0.05; done
  echo "registry did not start" >&2; exit 1
}

ctx=$work/ctx
log "making the context (scale $scale)"
python3 "$here/mkcontext.py" "$ctx" --scale "$scale"
log "context: $(du -sm "$ctx" | cut -f1) MB"
change_file() { echo "$1" >"$ctx/data/version.txt"; }

# --- hoist
registry_up
cat >"$work/hoist.yml" <<YML
service: bench
image: $reg/bench/hoist
tag: v1
registry: { insecure: true }
build: { context: $ctx }
hosts: [127.0.0.1]
YML
hb() { XDG_CACHE_HOME=$work/hoist-cache "$hoist" -q -f "$work/hoist.yml" build >/dev/null && XDG_CACHE_HOME=$work/hoist-cache "$hoist" -q -f "$work/hoist.yml" push >/dev/null; }
change_file 1; sync
t0=$(now); hb; h_cold=$(since "$t0")
t0=$(now); hb; h_same=$(since "$t0")
change_file 2
t0=$(now); hb; h_one=$(since "$t0")
log "hoist: cold $h_cold s, unchanged $h_same s, one file $h_one s"

# --- docker (a private daemon: no bridge, no iptables; loopback registries are insecure by default)
d=$work/docker; mkdir -p "$d"
dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" -H "unix://$d/sock" \
  --exec-opt native.cgroupdriver=cgroupfs --bridge=none --iptables=false --ip6tables=false >"$d/log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 200); do docker -H "unix://$d/sock" info >/dev/null 2>&1 && break; sleep 0.1; done
registry_up
dk() { DOCKER_BUILDKIT=0 docker -H "unix://$d/sock" build -q -t "$reg/bench/docker:v1" "$ctx" >/dev/null 2>&1 &&
       docker -H "unix://$d/sock" push "$reg/bench/docker:v1" >/dev/null; }
change_file 1
t0=$(now); dk; d_cold=$(since "$t0")
t0=$(now); dk; d_same=$(since "$t0")
change_file 2
t0=$(now); dk; d_one=$(since "$t0")
log "docker: cold $d_cold s, unchanged $d_same s, one file $d_one s"
kill "$dockerd_pid"; wait "$dockerd_pid" 2>/dev/null || true; dockerd_pid=

# --- buildah
if ((with_buildah)); then
  registry_up
  B=(buildah --root "$work/buildah/root" --runroot "$work/buildah/run" --storage-driver vfs)
  bb() { "${B[@]}" bud -q --layers -t "bench/buildah:v1" "$ctx" >/dev/null 2>&1 &&
         "${B[@]}" push -q --tls-verify=false "bench/buildah:v1" "docker://$reg/bench/buildah:v1" >/dev/null 2>&1; }
  change_file 1
  t0=$(now); bb; b_cold=$(since "$t0")
  t0=$(now); bb; b_same=$(since "$t0")
  change_file 2
  t0=$(now); bb; b_one=$(since "$t0")
  log "buildah: cold $b_cold s, unchanged $b_same s, one file $b_one s"
fi

ratio() { echo "scale=3; $1 / $2" | bc; }
printf '\n%-22s %10s %10s %10s\n' "build+push (s)" hoist docker buildah
printf '%-22s %10.2f %10.2f %10.2f\n' cold "$h_cold" "$d_cold" "${b_cold:-0}"
printf '%-22s %10.3f %10.2f %10.2f\n' unchanged "$h_same" "$d_same" "${b_same:-0}"
printf '%-22s %10.3f %10.2f %10.2f\n' "one-file change" "$h_one" "$d_one" "${b_one:-0}"
printf '\nhoist/docker: cold %s (target <= 0.2), one-file %s (target <= 0.1); unchanged %.3f s (target < 0.3 s)\n' \
  "$(ratio "$h_cold" "$d_cold")" "$(ratio "$h_one" "$d_one")" "$h_same"
((with_buildah)) && printf 'hoist/buildah: cold %s, unchanged %s, one-file %s\n' \
  "$(ratio "$h_cold" "$b_cold")" "$(ratio "$h_same" "$b_same")" "$(ratio "$h_one" "$b_one")"
printf 'load average during the run: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# SSH fan-out benchmark (run by hand, as root; not part of the test suite):
# K commands (`echo hi`) one after another on each of N sshd-only fleet hosts, all hosts at once,
# for hoist, SSHKit (Kamal's executor), Ansible (`raw` tasks, its default ControlPersist ssh) and
# OpenSSH with ControlMaster (one master per host, K client runs through it), in one run so the
# figures share the machine's noise. Also hoist's controller peak RSS, each tool's own CPU (user +
# system, children included) and the CPU the whole machine spent meanwhile (mostly the hosts' sshd).
#
#   tests/bench/fanout/run.sh [--hosts "20 100"] [--k "1 10"] [--runs 3] [--subnet 10.210.70]
#                             [--hoist build/hoist] [--tools "hoist sshkit ansible openssh"]
#
# Needs: .ci/install-deps.sh --bench (ansible-core, ruby-sshkit), a built hoist.
# Prints a markdown table: median wall seconds of --runs runs, and ratios to hoist.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=/dev/null
source "$root/tests/bench/lib.sh"
NS="20 100" KS="1 10" RUNS=3 SUB=10.210.70 HOIST=$root/build/hoist TOOLS="hoist sshkit ansible openssh"
while (($#)); do
  case $1 in
    --hosts) NS=$2; shift 2;; --k) KS=$2; shift 2;; --runs) RUNS=$2; shift 2;;
    --subnet) SUB=$2; shift 2;; --hoist) HOIST=$2; shift 2;; --tools) TOOLS=$2; shift 2;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "run as root (the fleet needs network namespaces)" >&2; exit 2; }
[[ -x $HOIST ]] || { echo "no hoist binary at $HOIST (build first, or --hoist PATH)" >&2; exit 2; }
for c in ansible-playbook ruby ssh /usr/bin/time; do
  command -v "$c" >/dev/null || { echo "missing $c: run .ci/install-deps.sh --bench" >&2; exit 2; }
done
MAXN=0; for n in $NS; do ((n > MAXN)) && MAXN=$n; done

NAME=fanout
FLEET=$root/tests/fleet/fleet
work=$(mktemp -d /tmp/hoist-fanout.XXXXXX)
cleanup() { "$FLEET" down --name "$NAME" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
"$FLEET" up --name "$NAME" --hosts "$MAXN" --subnet "$SUB" --sshd-only --no-lb --no-bastion --registry none >/dev/null
# shellcheck disable=SC1091
source "/tmp/hoist-fleet/$NAME/fleet.env"
read -ra ALL <<<"$FLEET_HOSTS"
# ed25519 for every tool: net-ssh 7.0 (under SSHKit) cannot sign with ECDSA keys on OpenSSL 3
USER_=$FLEET_SSH_USER KEY=$FLEET_SSH_KEY KH=$FLEET_KNOWN_HOSTS

# measure CMD...: prints "seconds maxrss_kb cpu_seconds" (cpu: user + system of the tool and its
# children, e.g. SSHKit's ruby or the ssh clients); fails loudly when the command fails
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
measure() {
  local out=$work/time.out b0 b1
  b0=$(busy_ticks)
  if ! /usr/bin/time -f '%e %M %U %S' -o "$out" "$@" >"$work/cmd.log" 2>&1; then
    echo "FAILED: $*" >&2; tail -5 "$work/cmd.log" >&2; echo "nan 0 nan nan"; return 0
  fi
  b1=$(busy_ticks)
  # 4th field: CPU seconds the whole machine was busy meanwhile (the tool, every host's sshd, ...)
  tail -1 "$out" | awk -v busy="$(( b1 - b0 ))" -v hz="$(getconf CLK_TCK)" '{printf "%s %s %.2f %.2f\n", $1, $2, $3 + $4, busy / hz}'
}

run_hoist() {  # N K
  local n=$1 k=$2 d=$work/hoist-$1
  mkdir -p "$d"
  { echo "service: fanout"; echo "image: registry.example.com/bench/fanout"; echo "hosts:"
    for h in "${ALL[@]:0:n}"; do echo "  - $h"; done
    echo "ssh:"; echo "  user: $USER_"; echo "  identity_files: [$KEY]"; echo "  known_hosts: $KH"
    echo "  max_parallel: $n"; } >"$d/hoist.yml"
  measure "$HOIST" -q -f "$d/hoist.yml" exec --repeat "$k" -- echo hi
}

run_sshkit() { measure ruby "$here/sshkit_fanout.rb" "$2" "$USER_" "$KEY" "$KH" "${ALL[@]:0:$1}"; }

run_ansible() {  # N K: K raw tasks, forks = N, ansible's own ControlPersist ssh
  local n=$1 k=$2 d=$work/ansible-$1-$2
  mkdir -p "$d"
  { echo "[fleet]"; for h in "${ALL[@]:0:n}"; do echo "$h"; done
    echo "[fleet:vars]"; echo "ansible_user=$USER_"; echo "ansible_ssh_private_key_file=$KEY"
    echo "ansible_ssh_common_args='-o UserKnownHostsFile=$KH -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes'"
  } >"$d/inventory"
  { echo "- hosts: fleet"; echo "  gather_facts: false"; echo "  tasks:"
    for ((i = 0; i < k; i++)); do echo "    - raw: echo hi"; done; } >"$d/play.yml"
  ANSIBLE_CONTROL_PATH_DIR=$d/cp ANSIBLE_LOCAL_TEMP=$d/tmp ANSIBLE_HOST_KEY_CHECKING=True \
    measure ansible-playbook -i "$d/inventory" -f "$n" "$d/play.yml"
}

openssh_one() {  # HOST K CP: K runs through one ControlMaster (started by the first)
  local h=$1 k=$2 cp=$3 i
  for ((i = 0; i < k; i++)); do
    ssh -o ControlMaster=auto -o "ControlPath=$cp/%C" -o ControlPersist=30 -o BatchMode=yes \
      -o UserKnownHostsFile="$KH" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
      -o IdentitiesOnly=yes -i "$KEY" "$USER_@$h" echo hi >/dev/null || return 1
  done
}
export -f openssh_one
run_openssh() {
  local n=$1 k=$2 cp=$work/cm-$1-$2-$RANDOM
  mkdir -p "$cp"
  export KH KEY USER_
  local r
  r=$(measure bash -c 'pids=(); for h in "${@:3}"; do openssh_one "$h" "$1" "$2" & pids+=($!); done; rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done; exit $rc' \
      _ "$k" "$cp" "${ALL[@]:0:n}")
  for s in "$cp"/*; do [[ -S $s ]] && ssh -o ControlPath="$s" -O exit dummy >/dev/null 2>&1 || true; done
  echo "$r"
}

declare -A T RSS
for n in $NS; do
  for k in $KS; do
    for tool in $TOOLS; do
      times=""; mem=""; cpus=""; busys=""
      for ((r = 0; r < RUNS; r++)); do
        read -r s kb cpu busy < <("run_$tool" "$n" "$k")
        times+=" $s"; mem+=" $kb"; cpus+=" $cpu"; busys+=" $busy"
      done
      T[$tool,$n,$k]=$(echo "$times" | median)
      RSS[$tool,$n,$k]=$(echo "$mem" | tr ' ' '\n' | sort -g | tail -1)
      printf '[fanout] N=%-3s K=%-2s %-8s %6s s  (runs:%s; controller CPU s:%s; machine busy s:%s)\n' "$n" "$k" \
        "$tool" "${T[$tool,$n,$k]}" "$times" "$cpus" "$busys" >&2
    done
  done
done

echo
echo "| hosts | K | hoist | SSHKit | Ansible raw | OpenSSH+ControlMaster | hoist/SSHKit | hoist/Ansible |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for n in $NS; do
  for k in $KS; do
    h=${T[hoist,$n,$k]:-nan} s=${T[sshkit,$n,$k]:-nan} a=${T[ansible,$n,$k]:-nan} o=${T[openssh,$n,$k]:-nan}
    echo "| $n | $k | $h s | $s s | $a s | $o s | $(ratio "$h" "$s") | $(ratio "$h" "$a") |"
  done
done
echo
for n in $NS; do
  kb=0; for k in $KS; do v=${RSS[hoist,$n,$k]:-0}; ((v > kb)) && kb=$v; done
  echo "hoist controller peak RSS at N=$n: $((kb / 1024)) MB ($kb KB, GNU time %M)"
done

# What the deploy benchmarks (run.sh, fleet.sh) share, sourced at their start; the functions read
# the globals the scripts set once their fleet is up: ALL (the hosts' addresses), LB, USER_, KEY, KH.

inventory() {  # N -> path of an Ansible inventory of the first N hosts and the LB host
  local n=$1 f=$work/inventory-$1
  { echo "[web]"; for h in "${ALL[@]:0:n}"; do echo "$h"; done
    echo "[balancer]"; echo "lb ansible_host=$LB"
    echo "[all:vars]"; echo "ansible_user=$USER_"; echo "ansible_ssh_private_key_file=$KEY"
    echo "ansible_python_interpreter=/usr/bin/python3"
    echo "ansible_ssh_common_args='-o UserKnownHostsFile=$KH -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes'"
  } >"$f"
  echo "$f"
}

check_serving() {  # TAG N: every host of the first N serves TAG through its port 8080
  local i v
  for ((i = 0; i < $2; i++)); do
    v=$(curl -fsS --max-time 3 "http://${ALL[i]}:8080/version" 2>/dev/null || true)
    [[ $v == "$1" ]] || { echo "host ${ALL[i]} serves '$v', not $1" >&2; exit 1; }
  done
}

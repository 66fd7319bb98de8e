# shellcheck shell=bash
# Helpers the benchmarks share (sourced, not run): timing, medians, ratios.
now() { date +%s.%N; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
# the median of the numbers on stdin (one or more a line, space separated); "nan" when there are none
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else print a[int((NR+1)/2)]}'; }
# A / B as "0.42x"; "—" when either is missing or nan, or B is 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || b == 0 || a == "" || a == "nan" || b == "nan") print "—"; else printf "%.2fx", a / b }'; }
# fleet_vars FLEET_JSON: q EXPR (a Python expression over the fleet's JSON as `d`), USER_, KEY, KH,
# REGISTRY, ALL (host addresses), DH (their DOCKER_HOSTs) and SSH (OpenSSH verifying host keys)
# shellcheck disable=SC2034  # the variables are for the benchmark that sources this
fleet_vars() {
  FJ=$1
  q() { python3 -c "import json,sys; d=json.load(open('$FJ')); print(eval(sys.argv[1]))" "$1"; }
  USER_=$(q 'd["ssh"]["user"]') KEY=$(q 'd["ssh"]["identity_file"]') KH=$(q 'd["ssh"]["known_hosts"]')
  REGISTRY=$(q 'd["images"]["registry"]')
  read -ra ALL <<<"$(q '" ".join(h["address"] for h in d["hosts"])')"
  read -ra DH <<<"$(q '" ".join(h["docker_host"] for h in d["hosts"])')"
  SSH=(ssh -i "$KEY" -o UserKnownHostsFile="$KH" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
       -o BatchMode=yes -o ControlMaster=no -l "$USER_")
}

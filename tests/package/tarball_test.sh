#!/usr/bin/env bash
# The portable tarball runs, as a user meets it, on clean Debian 11 (glibc 2.31, older than any
# Ubuntu runner's) and Debian 12 root filesystems that have none of hoist's libraries installed.
#
#   tests/package/tarball_test.sh BUILD_DIR
#
# Builds hoist-VERSION-linux-x86_64.tar.gz with cmake/tarball.sh, unpacks it into a throwaway copy
# of each cached minbase rootfs (tests/package/rootfs.sh), reaches it through a symlink on PATH as
# the GitHub Action installs it, and in a chroot asserts:
#   - the rootfs really lacks what hoist links (libcurl4, libarchive13, libssl3, libisal2) and its
#     own loader cannot start the binary: only the bundle makes it run;
#   - `hoist version` names the source revision, the bundled glibc 2.36 and libssh2 1.11;
#     `--help`, `completion bash`, `init` + `validate` work;
#   - TLS: `hoist push` builds an image (native builder: libarchive, ISA-L) and pushes it over HTTPS
#     to a registry this test starts on 127.0.0.1 with its own CA, by a name the rootfs' /etc/hosts
#     gives (hoist speaks plain HTTP to loopback addresses, as Docker does; the name also makes the
#     bundled glibc resolve through the rootfs' nsswitch.conf). On Debian 11 the CA is put where
#     RHEL keeps it (/etc/pki/tls/certs/ca-bundle.crt), not where Debian's libcurl looks, so the
#     push first fails without it (no bundle at all) and then passes with it; on Debian 12 a bundle
#     without the test's CA is refused first (certificate verification is on), then the real one;
#   - SSH: `hoist exec` runs a command over libssh2 on an sshd this test starts on 127.0.0.1, with
#     strict host key checking against a known_hosts file.
#
# The rootfs are cached in $HOIST_TEST_CACHE (default /var/cache/hoist-tests), shared with
# deb_install_test.sh; the first run debootstraps them (network to Debian's archive, a minute or two
# each). Without the network on a first run this test FAILS. Needs root (debootstrap, chroot, mounts).
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
t0=$SECONDS
say() { printf '[tarball-test] %s\n' "$*"; }
fail() { printf '[tarball-test] FAIL: %s\n' "$*" >&2; exit 1; }
. "$src/tests/package/rootfs.sh"

[[ $(id -u) == 0 ]] || fail "needs root (debootstrap, chroot); run as root"
for t in debootstrap docker-registry openssl ssh-keygen curl python3; do
  command -v "$t" >/dev/null || fail "$t is not installed (.ci/install-deps.sh installs it)"
done
[[ -x /usr/sbin/sshd ]] || fail "/usr/sbin/sshd is not installed (openssh-server)"

work=$(mktemp -d /var/tmp/hoist-tarball-test-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  unmount_all
  rm -rf "$work"
}
trap cleanup EXIT

say "building the tarball"
"$src/cmake/tarball.sh" "$build" "$work/dist" > "$work/tarball.log" 2>&1 || { cat "$work/tarball.log" >&2; fail "cmake/tarball.sh failed"; }
tarball=$(ls "$work"/dist/hoist-*-linux-x86_64.tar.gz)
name=$(basename "$tarball" .tar.gz)
(cd "$work/dist" && sha256sum -c --quiet "$name.tar.gz.sha256") || fail "the .sha256 beside the tarball does not match"
say "$(basename "$tarball"): $(du -k "$tarball" | cut -f1) KiB"
expected_rev=$(git -C "$src" describe --always --dirty --tags)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {  # wait_for WHAT SECONDS COMMAND...: every wait has a deadline
  local what=$1 secs=$2 i; shift 2
  for ((i = 0; i < secs * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "$what did not come up within $secs s"
}

# --- a TLS registry on 127.0.0.1 as registry.hoist.test, its certificate signed by a CA of this test
mkdir -p "$work/tls" "$work/registry"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=hoist test CA" \
  -keyout "$work/tls/ca.key" -out "$work/tls/ca.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=another CA" \
  -keyout "$work/tls/other-ca.key" -out "$work/tls/other-ca.pem" 2>/dev/null
reg_name=registry.hoist.test
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$reg_name" \
  -keyout "$work/tls/server.key" -out "$work/tls/server.csr" 2>/dev/null
openssl x509 -req -in "$work/tls/server.csr" -CA "$work/tls/ca.pem" -CAkey "$work/tls/ca.key" -CAcreateserial \
  -days 2 -extfile <(printf 'subjectAltName=DNS:%s\n' "$reg_name") -out "$work/tls/server.pem" 2>/dev/null
rport=$(free_port)
cat > "$work/registry/config.yml" <<EOF
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $work/registry/storage } }
http:
  addr: 127.0.0.1:$rport
  tls: { certificate: $work/tls/server.pem, key: $work/tls/server.key }
EOF
docker-registry serve "$work/registry/config.yml" > "$work/registry/log" 2>&1 &
pids+=($!)
reg_curl() { curl -fsS --cacert "$work/tls/ca.pem" --resolve "$reg_name:$rport:127.0.0.1" "$@"; }
wait_for "the TLS registry on 127.0.0.1:$rport" 15 reg_curl "https://$reg_name:$rport/v2/"

# --- an sshd on 127.0.0.1 with a host key of this test -----------------------------------------
mkdir -p "$work/sshd" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$work/sshd/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/sshd/client_key"
cp "$work/sshd/client_key.pub" "$work/sshd/authorized_keys"
sport=$(free_port)
cat > "$work/sshd/config" <<EOF
ListenAddress 127.0.0.1:$sport
HostKey $work/sshd/host_key
PidFile $work/sshd/pid
AuthorizedKeysFile $work/sshd/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
EOF
/usr/sbin/sshd -D -e -f "$work/sshd/config" > "$work/sshd/log" 2>&1 &
pids+=($!)
wait_for "sshd on 127.0.0.1:$sport" 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$sport"
echo "[127.0.0.1]:$sport $(cut -d' ' -f1-2 "$work/sshd/host_key.pub")" > "$work/sshd/known_hosts"

# --- the app every rootfs builds, pushes and execs with ----------------------------------------
mkdir -p "$work/app"
printf 'FROM scratch\nCOPY hello.txt /hello.txt\n' > "$work/app/Dockerfile"
echo "hello from a clean rootfs" > "$work/app/hello.txt"
cat > "$work/app/hoist.yml" <<EOF
service: app
image: $reg_name:$rport/day/app
build:
  context: .
hosts: ["root@127.0.0.1:$sport"]
ssh:
  identity_files: [/srv/app/id_ed25519]
  known_hosts: /srv/app/known_hosts
  host_key_checking: strict
EOF
cp "$work/sshd/client_key" "$work/app/id_ed25519"
cp "$work/sshd/known_hosts" "$work/app/known_hosts"

run_in() {  # run_in SUITE_NUMBER SUITE
  local n=$1 suite=$2 rootfs dir root glibc
  rootfs=$(ensure_rootfs "$suite")
  dir=$work/$suite
  throwaway_root "$rootfs" "$dir"
  root=$dir/root
  in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

  glibc=$(in_root getconf GNU_LIBC_VERSION)
  say "Debian $n ($suite), system $glibc"
  for pkg in libcurl4 libarchive13 libssl3 libisal2 libyaml-cpp0.7 libyaml-cpp0.6; do
    if in_root dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      fail "$pkg is installed in the clean $suite rootfs; the test would prove nothing"
    fi
  done
  tar -C "$root/opt" -xzf "$tarball"
  ln -s "/opt/$name/bin/hoist" "$root/usr/local/bin/hoist"
  if in_root "/opt/$name/libexec/hoist/hoist" version > "$dir/direct.txt" 2>&1; then
    fail "the bare binary runs with $suite's own loader; the test cannot tell the bundle is needed"
  fi

  local version first
  version=$(in_root hoist version 2>&1) || fail "hoist version failed on $suite: $version"
  first=$(head -1 <<<"$version")
  [[ $first == "hoist "*" ($expected_rev)" ]] || fail "$suite: hoist version says '$first'; expected the revision $expected_rev"
  grep -q 'glibc 2.36' <<<"$version" || fail "$suite: hoist does not run on the bundled glibc 2.36: $version"
  grep -q 'libssh2 1.11' <<<"$version" || fail "$suite: hoist does not run libssh2 1.11: $version"
  grep -q 'OpenSSL 3' <<<"$version" || fail "$suite: hoist does not run OpenSSL 3: $version"
  in_root hoist --help > "$dir/help.txt" 2>&1 || { cat "$dir/help.txt" >&2; fail "$suite: hoist --help failed"; }
  in_root hoist completion bash | grep -q complete || fail "$suite: hoist completion bash printed no completion"
  in_root sh -c 'mkdir -p /tmp/init && cd /tmp/init && hoist init >/dev/null 2>&1 && hoist validate' > "$dir/validate.txt" 2>&1 \
    || { cat "$dir/validate.txt" >&2; fail "$suite: hoist init + validate failed"; }

  cp -a "$work/app" "$root/srv/app"
  echo "127.0.0.1 $reg_name" >> "$root/etc/hosts"
  local ca_path=/etc/ssl/certs/ca-certificates.crt
  if [[ $suite == bullseye ]]; then
    # RHEL's place; Debian's libcurl looks at ca-certificates.crt, which this rootfs does not have
    ca_path=/etc/pki/tls/certs/ca-bundle.crt
    [[ ! -e $root/etc/ssl/certs/ca-certificates.crt ]] || fail "$suite rootfs has a CA bundle already"
  else
    # a bundle that does not hold the test's CA: verification must refuse the registry
    mkdir -p "$root/etc/ssl/certs"
    cp "$work/tls/other-ca.pem" "$root/etc/ssl/certs/ca-certificates.crt"
  fi
  if in_root sh -c 'cd /srv/app && hoist --no-color push --tag untrusted' > "$dir/untrusted.txt" 2>&1; then
    fail "$suite: push over TLS succeeded with no CA that trusts the registry"
  fi
  grep -qi 'certificate' "$dir/untrusted.txt" || { cat "$dir/untrusted.txt" >&2; fail "$suite: the untrusted push failed for another reason"; }
  say "without the CA: $(grep -i -m1 'certificate' "$dir/untrusted.txt" | sed 's/^[0-9TZ:.-]* //')"
  mkdir -p "$root$(dirname "$ca_path")"
  cp "$work/tls/ca.pem" "$root$ca_path"
  in_root sh -c "cd /srv/app && hoist --no-color push --tag $suite" > "$dir/push.txt" 2>&1 \
    || { cat "$dir/push.txt" >&2; fail "$suite: hoist push over TLS failed (CA at $ca_path)"; }
  reg_curl -o /dev/null \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "https://$reg_name:$rport/v2/day/app/manifests/$suite" || fail "$suite: the registry has no day/app:$suite after the push"

  in_root sh -c 'cd /srv/app && hoist --no-color exec -- echo hoist-ssh-ok' > "$dir/exec.txt" 2>&1 \
    || { cat "$dir/exec.txt" >&2; fail "$suite: hoist exec over SSH failed"; }
  grep -q 'hoist-ssh-ok' "$dir/exec.txt" || { cat "$dir/exec.txt" >&2; fail "$suite: hoist exec printed no output"; }
  say "Debian $n ($suite): version, help, completion, init+validate, TLS push (CA at $ca_path), SSH exec: ok"
}

run_in 11 bullseye
run_in 12 bookworm
say "PASS in $((SECONDS - t0)) s"

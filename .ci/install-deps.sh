#!/usr/bin/env bash
# Installs everything hoist needs to build and test on Debian 12 (run as root).
# Idempotent: on a machine that already has everything it only checks, in about a second.
#
#   .ci/install-deps.sh            build + test dependencies (what both README commands need)
#   .ci/install-deps.sh --bench    also the peers the benchmarks compare with (ansible, sshkit, buildah)
set -euo pipefail

LIBSSH2_PREFIX=${HOIST_LIBSSH2_PREFIX:-/opt/hoist-deps/libssh2}
LIBSSH2_VERSION=1.11.1

pkgs=(cmake g++ make pkg-config ccache
      libcli11-dev libcurl4-openssl-dev nlohmann-json3-dev libyaml-cpp-dev
      libssl-dev zlib1g-dev libgtest-dev libgmock-dev libarchive-dev libdeflate-dev dpkg-dev
      docker.io docker-registry openssh-server openssh-client nginx haproxy skopeo busybox-static
      wrk iproute2 iptables socat curl ca-certificates tmux hyperfine python3 git
      libxml2-utils zsh bsdutils debootstrap jq clang libclang-rt-14-dev gdb
      awscli)  # awscli: the launch template user data runs it on a test host, as an instance does
if [[ ${1:-} == --bench ]]; then
  pkgs+=(ansible-core ruby-sshkit buildah podman)
fi

log() { printf '[install-deps] %s\n' "$*" >&2; }

if [[ $(id -u) != 0 ]]; then
  log "must run as root (it installs Debian packages and the test fleet needs network namespaces)"
  exit 2
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# Never let package installation start daemons (nginx, sshd, dockerd, registry) on this machine's
# real addresses: the test fleet starts its own copies on its own addresses.
with_no_services() {
  local had=0
  [[ -e /usr/sbin/policy-rc.d ]] && had=1
  if [[ $had == 0 ]]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
  "$@"; local rc=$?
  [[ $had == 0 ]] && rm -f /usr/sbin/policy-rc.d
  return $rc
}

if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  with_no_services apt-get update -qq
  DEBIAN_FRONTEND=noninteractive with_no_services apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libssh2 >= 1.11: bookworm's 1.10 cannot sign with rsa-sha2-256/512, so RSA keys are refused by
# OpenSSH >= 8.8. Build Debian trixie's source package (with Debian's patches) into a private prefix.
have_ssh2() {
  local v
  v=$(pkg-config --modversion libssh2 2>/dev/null || true)
  [[ -n $v ]] && dpkg --compare-versions "$v" ge 1.11 && return 0
  [[ -f $LIBSSH2_PREFIX/lib/libssh2.a && -f $LIBSSH2_PREFIX/.hoist-$LIBSSH2_VERSION ]]
}
if ! have_ssh2; then
  log "building libssh2 $LIBSSH2_VERSION from Debian trixie's source package into $LIBSSH2_PREFIX"
  src=/etc/apt/sources.list.d/hoist-trixie-src.sources
  if ! grep -rqs 'trixie' /etc/apt/sources.list.d/ /etc/apt/sources.list; then
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$src"
  fi
  apt-get update -qq
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get source --download-only -qq libssh2/trixie >/dev/null 2>&1)
  tar -C "$work" -xzf "$work"/libssh2_${LIBSSH2_VERSION}.orig.tar.gz
  tar -C "$work"/libssh2-${LIBSSH2_VERSION} -xJf "$work"/libssh2_*.debian.tar.xz
  if [[ -f $work/libssh2-$LIBSSH2_VERSION/debian/patches/series ]]; then
    while read -r patch; do
      [[ -z $patch || $patch == \#* ]] && continue
      patch -d "$work/libssh2-$LIBSSH2_VERSION" -p1 -s < "$work/libssh2-$LIBSSH2_VERSION/debian/patches/$patch"
    done < "$work/libssh2-$LIBSSH2_VERSION/debian/patches/series"
  fi
  cmake -S "$work/libssh2-$LIBSSH2_VERSION" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$LIBSSH2_PREFIX" -DCRYPTO_BACKEND=OpenSSL -DBUILD_EXAMPLES=OFF \
    -DBUILD_TESTING=OFF -DBUILD_SHARED_LIBS=OFF -DENABLE_ZLIB_COMPRESSION=ON \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON >/dev/null
  cmake --build "$work/build" -j"$(nproc)" >/dev/null
  cmake --install "$work/build" >/dev/null
  touch "$LIBSSH2_PREFIX/.hoist-$LIBSSH2_VERSION"
fi

# The test fleet's hosts log in as an ordinary user in the docker group, as on EC2.
getent group docker >/dev/null || groupadd -r docker
log "ok (libssh2 prefix: $LIBSSH2_PREFIX)"

#!/usr/bin/env bash
# The .deb installs on a clean Debian 12 root filesystem and hoist runs there.
#
#   tests/package/deb_install_test.sh BUILD_DIR
#
# Builds the package with cpack in BUILD_DIR (configured with -DCMAKE_INSTALL_PREFIX=/usr), then
# installs it with apt into a fresh copy of a minimal bookworm rootfs, so apt resolves its
# dependencies from Debian's archive exactly as on a user's machine, and runs `hoist version`
# (which must name the source tree's git revision), `hoist completion`, `hoist init` and
# `hoist validate` in a chroot.
#
# The clean rootfs (debootstrap --variant=minbase, ~200 MB) and the downloaded .debs are cached in
# $HOIST_TEST_CACHE (default /var/cache/hoist-tests): the first run downloads them (about a minute
# on a good link), later runs need no network unless Debian published newer versions. Without the
# network on a first run this test FAILS, loudly: it never passes without installing the package.
# Needs root (debootstrap, chroot, mounts).
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${HOIST_TEST_CACHE:-/var/cache/hoist-tests}
mirror=${HOIST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
rootfs=$cache/debian12-minbase
t0=$SECONDS

say() { printf '[deb-test] %s\n' "$*"; }
fail() { printf '[deb-test] FAIL: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || fail "needs root (debootstrap, chroot); run as root"
command -v debootstrap >/dev/null || fail "debootstrap is not installed (.ci/install-deps.sh installs it)"
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
[[ $prefix == /usr ]] || fail "$build is configured with CMAKE_INSTALL_PREFIX=$prefix; packages need -DCMAKE_INSTALL_PREFIX=/usr"

say "cpack -G DEB in $build"
rm -f "$build"/hoist_*.deb
(cd "$build" && cpack -G DEB >/dev/null) || fail "cpack failed"
deb=$(ls "$build"/hoist_*.deb)
say "package: $(basename "$deb"), depends: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$deb" Depends | grep -q libssh2 && fail "the package depends on libssh2; it must be linked statically"

mkdir -p "$cache/apt-archives/partial"
if [[ ! -f $rootfs/.hoist-complete ]]; then
  say "FIRST RUN: creating the clean Debian 12 rootfs in $rootfs with debootstrap from $mirror"
  say "(downloads ~40 MB and takes about a minute; later runs reuse it)"
  rm -rf "$rootfs" "$rootfs.tmp"
  debootstrap --variant=minbase --cache-dir="$cache/apt-archives" bookworm "$rootfs.tmp" "$mirror" \
    > "$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log" >&2; fail "debootstrap failed (no network to $mirror?)"; }
  echo "deb $mirror bookworm main" > "$rootfs.tmp/etc/apt/sources.list"
  touch "$rootfs.tmp/.hoist-complete"
  mv "$rootfs.tmp" "$rootfs"
  say "rootfs ready after $((SECONDS - t0)) s"
else
  say "reusing the cached rootfs $rootfs"
fi

# A throwaway copy per run: the cached rootfs stays clean. Overlayfs when the kernel allows it
# (instant), else a copy (a few seconds).
work=$(mktemp -d /var/tmp/hoist-deb-test-XXXXXX)
root=$work/root
mounts=()
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$root" "$work/upper" "$work/work"
if mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$work/upper,workdir=$work/work" "$root" 2>/dev/null; then
  mounts+=("$root")
else
  cp -a "$rootfs/." "$root/"
fi
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives" && mounts+=("$root/var/cache/apt/archives")
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

say "apt-get install ./$(basename "$deb") in the chroot"
install() { in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" > "$work/apt.log" 2>&1; }
if ! install; then
  # the cached package lists may name versions the archive no longer has: refresh and retry once
  say "refreshing the chroot's package lists (apt-get update)"
  in_root apt-get update -qq > "$work/update.log" 2>&1 || { cat "$work/update.log" >&2; fail "apt-get update failed (no network to $mirror?)"; }
  install || { tail -30 "$work/apt.log" >&2; fail "apt-get install of the package failed"; }
fi

in_root ldd /usr/bin/hoist > "$work/ldd.txt"
grep -q 'not found' "$work/ldd.txt" && { cat "$work/ldd.txt" >&2; fail "missing libraries in a clean Debian 12"; }
version=$(in_root hoist version) || fail "hoist version failed in the chroot"
expected=$(git -C "$src" describe --always --dirty --tags)
first=$(head -1 <<<"$version")
say "in the chroot: $first"
[[ $first == "hoist "*" ($expected)" ]] || fail "hoist version says '$first'; expected the revision $expected"
grep -q 'libssh2 1.11' <<<"$version" || fail "hoist in the chroot does not run libssh2 1.11: $version"
for f in /usr/share/bash-completion/completions/hoist /usr/share/zsh/vendor-completions/_hoist; do
  [[ -s $root$f ]] || fail "$f is not installed"
done
in_root sh -c 'cd /tmp && hoist init >/dev/null 2>&1 && hoist validate' > "$work/validate.txt" 2>&1 \
  || { cat "$work/validate.txt" >&2; fail "hoist init + validate failed in the chroot"; }
say "PASS in $((SECONDS - t0)) s: installed with its dependencies, 'hoist version', init and validate run"

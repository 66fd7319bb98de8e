# Sourced by the package tests: clean Debian root filesystems, cached, and throwaway copies of them.
#
#   ensure_rootfs SUITE        -> prints the cached rootfs dir ($cache/debianN-minbase), creating it
#                                 with debootstrap --variant=minbase on first use (~1-2 min, network)
#   throwaway_root ROOTFS DIR  -> DIR/root: an overlay (or a copy) of ROOTFS with /proc mounted;
#                                 unmount_all undoes every mount made (call it from an EXIT trap)
#
# Needs: root, debootstrap; $cache (default /var/cache/hoist-tests), $mirror, say/fail functions.
cache=${HOIST_TEST_CACHE:-/var/cache/hoist-tests}
mirror=${HOIST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
_mounts=()

ensure_rootfs() {
  local suite=$1 n
  case $suite in bullseye) n=11 ;; bookworm) n=12 ;; trixie) n=13 ;; *) fail "unknown suite $suite" ;; esac
  local rootfs=$cache/debian$n-minbase
  mkdir -p "$cache/apt-archives/partial"
  if [[ ! -f $rootfs/.hoist-complete ]]; then
    say "FIRST RUN: creating a clean Debian $n ($suite) rootfs in $rootfs with debootstrap from $mirror" >&2
    say "(downloads ~40 MB and takes a minute or two; later runs reuse it)" >&2
    rm -rf "$rootfs" "$rootfs.tmp"
    debootstrap --variant=minbase --cache-dir="$cache/apt-archives" "$suite" "$rootfs.tmp" "$mirror" \
      > "$cache/debootstrap-$suite.log" 2>&1 ||
      { tail -20 "$cache/debootstrap-$suite.log" >&2; fail "debootstrap $suite failed (no network to $mirror?)"; }
    echo "deb $mirror $suite main" > "$rootfs.tmp/etc/apt/sources.list"
    touch "$rootfs.tmp/.hoist-complete"
    mv "$rootfs.tmp" "$rootfs"
  fi
  echo "$rootfs"
}

throwaway_root() {
  local rootfs=$1 dir=$2
  mkdir -p "$dir/root" "$dir/upper" "$dir/work"
  if mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$dir/upper,workdir=$dir/work" "$dir/root" 2>/dev/null; then
    _mounts+=("$dir/root")
  else
    cp -a "$rootfs/." "$dir/root/"
  fi
  mount -t proc proc "$dir/root/proc" && _mounts+=("$dir/root/proc")
}

unmount_all() {
  local i
  for ((i = ${#_mounts[@]} - 1; i >= 0; i--)); do umount -l "${_mounts[i]}" 2>/dev/null || true; done
  _mounts=()
}

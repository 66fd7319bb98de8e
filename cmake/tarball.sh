#!/usr/bin/env bash
# The portable release artifact: hoist-VERSION-linux-x86_64.tar.gz, which runs on any x86_64 Linux
# (glibc or musl distributions, old or new: Debian 11/12, Ubuntu 20.04-24.04, RHEL/Amazon Linux,
# Alpine) with nothing installed but /bin/sh.
#
#   cmake/tarball.sh BUILD_DIR OUT_DIR        (or: cmake --build BUILD_DIR --target tarball)
#
# Why this shape (see ARCHITECTURE.md "Choices"): hoist is built on Debian 12 against its shared
# libraries (libcurl, libarchive, yaml-cpp, OpenSSL 3, ISA-L... and glibc 2.36). A binary linked
# against glibc 2.36 asks for GLIBC_2.34 symbols and does not start on glibc 2.31 (Debian 11), and
# Debian 12's libcurl and libarchive are not on other distributions at all. So the tarball carries
# every shared library hoist loads *including glibc and its dynamic loader*, and bin/hoist is a
# two-line launcher that runs the real binary through the bundled loader:
#
#   ld-linux-x86-64.so.2 --library-path <bundle>/lib --argv0 "$0" <bundle>/hoist ARGS
#
# so the system's loader, libc and ld.so.cache are never consulted for hoist's own libraries, and
# nothing leaks to the programs hoist starts (hooks, ProxyCommand, git): they see no LD_* variable.
# The kernel is the only thing shared with the host (glibc 2.36 needs Linux >= 3.2).
#
# The bundle's libraries are Debian 12's, listed with their package versions in
# share/doc/hoist/BUNDLED (for security tracking), with each package's copyright file beside it.
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR OUT_DIR}" && pwd)
out=$(mkdir -p "${2:?usage: $0 BUILD_DIR OUT_DIR}" && cd "$2" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
say() { printf '[tarball] %s\n' "$*"; }
die() { printf '[tarball] error: %s\n' "$*" >&2; exit 1; }

[[ $(uname -m) == x86_64 ]] || die "only x86_64 builds are packaged (this is $(uname -m))"
exe=$build/hoist
[[ -x $exe ]] || die "$exe is not built (cmake --build $build --target hoist)"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[[ -n $version ]] || die "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"
name=hoist-$version-linux-x86_64
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || echo 0)}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/$name
bundle=$root/libexec/hoist
mkdir -p "$root/bin" "$bundle/lib" "$root/share/doc/hoist/copyright" \
         "$root/share/bash-completion/completions" "$root/share/zsh/site-functions"

# The binary, stripped like the .deb's (the build tree keeps the debug info).
cp "$exe" "$bundle/hoist"
strip --strip-unneeded "$bundle/hoist"

# Every shared library the loader maps for hoist, found by the build machine's loader, copied
# under its soname. `ldd` lists the loader itself with its absolute path.
interp=$(readelf -l "$exe" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[[ $interp == */ld-linux-x86-64.so.2 ]] || die "unexpected program interpreter '$interp'"
libs=()
while read -r line; do
  case $line in
    *'=> not found'*) die "ldd: $line" ;;
    *'=> '/*) libs+=("$(sed 's/.*=> \([^ ]*\) .*/\1/' <<<"$line")") ;;
  esac
done < <(ldd "$exe")
libs+=("$interp")
manifest=$root/share/doc/hoist/BUNDLED
{
  echo "Shared libraries in libexec/hoist/lib, taken from Debian 12 (bookworm) when this tarball was built."
  echo "hoist runs with these and no other copies of them; a security update to one means a new hoist release."
  echo
} > "$manifest"
declare -A seen_pkg=()
for lib in "${libs[@]}"; do
  soname=$(basename "$lib")
  cp -L "$lib" "$bundle/lib/$soname"
  # dpkg records merged-/usr files under either prefix
  real=$(readlink -f "$lib")
  pkg=""
  for p in "$lib" "$real" "${real#/usr}" "/usr${real}"; do
    pkg=$(dpkg-query -S "$p" 2>/dev/null | head -1 | cut -d: -f1) && [[ -n $pkg ]] && break
  done
  [[ -n $pkg ]] || die "no Debian package owns $lib (is this a Debian build machine?)"
  ver=$(dpkg-query -W -f='${Version}' "$pkg")
  printf '%-28s %s %s\n' "$soname" "$pkg" "$ver" >> "$manifest"
  if [[ -z ${seen_pkg[$pkg]:-} ]]; then
    seen_pkg[$pkg]=1
    cp "/usr/share/doc/$pkg/copyright" "$root/share/doc/hoist/copyright/$pkg" 2>/dev/null ||
      die "/usr/share/doc/$pkg/copyright is missing (needed to ship $soname)"
  fi
done
chmod 0755 "$bundle/lib/"*

install -m 0755 "$src/cmake/tarball-launcher.sh" "$root/bin/hoist"
# the completion scripts, from the binary itself (as the build's hoist_completions target does)
"$exe" completion bash > "$root/share/bash-completion/completions/hoist"
"$exe" completion zsh > "$root/share/zsh/site-functions/_hoist"
cp "$src/README.md" "$root/share/doc/hoist/README.md"

# The launcher runs here as it will on a user's machine (bundled loader, bundled libc).
"$root/bin/hoist" version >/dev/null || die "the bundled hoist does not run"

tarball=$out/$name.tar.gz
# Reproducible: sorted, numeric root owner, every mtime SOURCE_DATE_EPOCH, no gzip timestamp.
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    --format=gnu -cf - "$name" | gzip -n -9 > "$tarball.tmp"
mv "$tarball.tmp" "$tarball"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
say "$tarball: $(du -k "$tarball" | cut -f1) KiB ($(du -sk "$root" | cut -f1) KiB unpacked, ${#libs[@]} libraries)"

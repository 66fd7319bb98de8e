#!/usr/bin/env bash
# The action's install step: hoist from a GitHub release. On any x86_64 Linux runner
# (ubuntu-latest, a self-hosted runner on another distribution, a `container:` job) that is the
# portable tarball (hoist-VERSION-linux-x86_64.tar.gz: hoist with its own libraries and C library,
# see cmake/tarball.sh), checked against its .sha256, unpacked into the runner's tool cache and put
# on PATH for the next steps. No root, no apt. Skipped when hoist is already on PATH and no version
# is asked for (a self-hosted runner with hoist installed, or a job that built it).
#   HOIST_VERSION      release tag (v1.2.0), or a major (v1: the newest v1.x); default: the
#                      action's own ref, from its path .../_actions/OWNER/REPO/REF
#   HOIST_ACTION_PATH  where the runner checked the action out
#   HOIST_REPO         OWNER/REPO to install from (default: from HOIST_ACTION_PATH)
#   HOIST_INSTALL_DIR  where to unpack (default: $RUNNER_TOOL_CACHE/hoist/TAG, else ~/.local/share/hoist/TAG)
#   GH_TOKEN           for the GitHub API (rate limits, private repositories)
#
#   install.sh --choose OS ARCH DISTRO < asset-names   prints the asset this runner takes (tests)
set -euo pipefail
say() { echo "[hoist action] $*"; }
die() { echo "[hoist action] $*" >&2; exit 1; }

# Which release asset fits the machine: `uname -s`, `uname -m`, and ID:VERSION_CODENAME of
# /etc/os-release ("debian:bookworm"); the release's asset names on stdin. Prints one name, or
# explains on stderr and fails.
choose_asset() {
  local os=$1 arch=$2 distro=$3 names name
  names=$(cat)
  [[ $os == Linux ]] || die "hoist runs on Linux; this runner is $os (use runs-on: ubuntu-latest)"
  case $arch in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
  esac
  name=$(grep -E "^hoist-[0-9][^/]*-linux-$arch[.]tar[.]gz$" <<<"$names" | head -1 || true)
  if [[ -n $name ]]; then echo "$name"; return; fi
  # releases before the portable tarball had only the Debian 12 package
  name=$(grep -E '^hoist_[^/]*_amd64[.]deb$' <<<"$names" | head -1 || true)
  if [[ -n $name && $arch == x86_64 && $distro == debian:bookworm ]]; then echo "$name"; return; fi
  if [[ -n $name && $arch == x86_64 ]]; then
    die "this release has only the Debian 12 package ($name), and this runner is ${distro:-not Debian}; use a release with hoist-*-linux-x86_64.tar.gz (version: input) or put hoist on PATH first"
  fi
  die "this release has no hoist build for linux-$arch (it has: $(tr '\n' ' ' <<<"$names"))"
}

if [[ ${1:-} == --choose ]]; then
  choose_asset "$2" "$3" "${4:-}"
  exit 0
fi

if command -v hoist >/dev/null && [[ -z ${HOIST_VERSION:-} ]]; then
  say "using $(hoist version | head -1) from $(command -v hoist)"
  exit 0
fi
path=${HOIST_ACTION_PATH:-}
[[ -n $path || -n ${HOIST_REPO:-} ]] || die "HOIST_ACTION_PATH or HOIST_REPO must be set"
ref=${HOIST_VERSION:-$(basename "$path")}
repo=${HOIST_REPO:-$(basename "$(dirname "$(dirname "$path")")")/$(basename "$(dirname "$path")")}

sudo=""
[[ $(id -u) == 0 ]] || sudo=sudo
if ! command -v jq >/dev/null || ! command -v curl >/dev/null; then
  # ubuntu-latest has both; a bare `container:` image may not
  command -v apt-get >/dev/null || die "curl and jq are needed to read the release"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq jq curl ca-certificates >/dev/null
fi

api=${GITHUB_API_URL:-https://api.github.com}
auth=()
[[ -n ${GH_TOKEN:-} ]] && auth=(-H "Authorization: Bearer $GH_TOKEN")
release=$(curl -fsSL "${auth[@]}" "$api/repos/$repo/releases/tags/$ref" 2>/dev/null || true)
if [[ -z $release && $ref =~ ^v[0-9]+$ ]]; then
  # a major version: the newest release of that major
  release=$(curl -fsSL "${auth[@]}" "$api/repos/$repo/releases?per_page=100" |
            jq --arg p "$ref." '[.[] | select(.draft == false and (.tag_name | startswith($p)))] | first // empty')
fi
[[ -n $release ]] || die "no release $ref of $repo"
tag=$(jq -r .tag_name <<<"$release")
distro=$( (. /etc/os-release 2>/dev/null && echo "${ID:-}:${VERSION_CODENAME:-}") || true)
asset=$(jq -r '.assets[].name' <<<"$release" | choose_asset "$(uname -s)" "$(uname -m)" "$distro")

# Through the API's asset URL (Accept: octet-stream), which works for private repositories too.
download() {
  local url
  url=$(jq -r --arg n "$1" '.assets[] | select(.name == $n) | .url' <<<"$release")
  [[ -n $url ]] || return 1
  curl -fsSL "${auth[@]}" -H "Accept: application/octet-stream" -o "$2" "$url"
}
tmp=$(mktemp -d "${RUNNER_TEMP:-/tmp}/hoist-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
say "installing $asset from $repo $tag"
download "$asset" "$tmp/$asset" || die "cannot download $asset of $repo $tag"

if [[ $asset == *.deb ]]; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "$tmp/$asset" >/dev/null
  say "$(hoist version | head -1)"
  exit 0
fi

download "$asset.sha256" "$tmp/$asset.sha256" || die "$repo $tag has no $asset.sha256 to check the download against"
(cd "$tmp" && sha256sum -c --quiet "$asset.sha256") || die "$asset does not match its .sha256: download corrupted"
dest=${HOIST_INSTALL_DIR:-${RUNNER_TOOL_CACHE:-$HOME/.local/share}/hoist/$tag}
mkdir -p "$dest"
tar -C "$dest" -xzf "$tmp/$asset"
bin=$dest/${asset%.tar.gz}/bin
[[ -x $bin/hoist ]] || die "$asset has no ${asset%.tar.gz}/bin/hoist"
if [[ -n ${GITHUB_PATH:-} ]]; then
  echo "$bin" >> "$GITHUB_PATH"
else
  say "add $bin to PATH"
fi
say "$("$bin/hoist" version | head -1) in $bin"

#!/usr/bin/env bash
# The action's install step: hoist from a GitHub release's .deb, installed with apt so its
# Debian 12 dependencies come along. Skipped when hoist is already on PATH and no version is
# asked for (a self-hosted runner with hoist installed, or a job that built it).
#   HOIST_VERSION      release tag (v1.2.0), or a major (v1: the newest v1.x); default: the
#                      action's own ref, from its path .../_actions/OWNER/REPO/REF
#   HOIST_ACTION_PATH  where the runner checked the action out
#   GH_TOKEN           for the GitHub API (rate limits, private repositories)
set -euo pipefail
say() { echo "[hoist action] $*"; }

if command -v hoist >/dev/null && [[ -z ${HOIST_VERSION:-} ]]; then
  say "using $(hoist version | head -1) from $(command -v hoist)"
  exit 0
fi
path=${HOIST_ACTION_PATH:?}
ref=${HOIST_VERSION:-$(basename "$path")}
repo=$(basename "$(dirname "$(dirname "$path")")")/$(basename "$(dirname "$path")")
if ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
  say "the hoist package is built for Debian 12; run this job in 'container: debian:12' or put hoist on PATH first"
  exit 1
fi
sudo=""
[[ $(id -u) == 0 ]] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
command -v jq >/dev/null && command -v curl >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq jq curl ca-certificates >/dev/null; }

api=${GITHUB_API_URL:-https://api.github.com}
auth=()
[[ -n ${GH_TOKEN:-} ]] && auth=(-H "Authorization: Bearer $GH_TOKEN")
release=$(curl -fsSL "${auth[@]}" "$api/repos/$repo/releases/tags/$ref" 2>/dev/null || true)
if [[ -z $release && $ref =~ ^v[0-9]+$ ]]; then
  # a major version: the newest release of that major
  release=$(curl -fsSL "${auth[@]}" "$api/repos/$repo/releases?per_page=100" |
            jq --arg p "$ref." '[.[] | select(.draft == false and (.tag_name | startswith($p)))] | first // empty')
fi
[[ -n $release ]] || { say "no release $ref of $repo"; exit 1; }
url=$(jq -r '[.assets[] | select(.name | test("^hoist_.*_amd64[.]deb$"))][0].browser_download_url // empty' <<<"$release")
[[ -n $url ]] || { say "release $(jq -r .tag_name <<<"$release") of $repo has no hoist_*_amd64.deb"; exit 1; }
deb="${RUNNER_TEMP:-/tmp}/$(basename "$url")"
say "installing $(basename "$url") from $repo $(jq -r .tag_name <<<"$release")"
curl -fsSL "${auth[@]}" -o "$deb" "$url"
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
say "$(hoist version | head -1)"

#!/usr/bin/env bash
# .github/action/install.sh end to end against a local stand-in for the GitHub API (python3's
# http.server on 127.0.0.1 serving release JSON and assets), as the action runs it on ubuntu-latest:
# no hoist on PATH, no root needed, a major version (v0) resolved to the newest v0.x, the tarball
# checked against its .sha256, unpacked into the tool cache and added to $GITHUB_PATH. Then a
# corrupted download must be refused. Run by tests/unit/ci/ci_files_test.cpp with a fake tarball;
# the release workflow runs it on ubuntu-latest with the real one:
#   install_test.sh [hoist-VERSION-linux-x86_64.tar.gz]
# Prints FAIL and exits 1 on the first broken expectation.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/hoist-install-test-XXXXXX)
server=""
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/www/assets" "$work/www/repos/acme/hoist/releases/tags"
if [[ -n ${1:-} ]]; then
  pkg=$(basename "$1" .tar.gz)
  cp "$1" "$work/www/assets/1"
  expect_version="hoist "
else
  # a fake release: the tarball's layout, with a bin/hoist that says who it is
  pkg=hoist-0.2.0-linux-x86_64
  mkdir -p "$work/build/$pkg/bin"
  printf '#!/bin/sh\necho "hoist 0.2.0 (fake)"\n' > "$work/build/$pkg/bin/hoist"
  chmod +x "$work/build/$pkg/bin/hoist"
  tar -C "$work/build" -czf "$work/www/assets/1" "$pkg"
  expect_version="hoist 0.2.0 (fake)"
fi
(cd "$work/www/assets" && sha256sum 1 | sed "s/ 1\$/ $pkg.tar.gz/" > 2)

# the server first: the JSON names its port
python3 -c '
import http.server, os, sys
os.chdir(sys.argv[1])
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
print(s.server_address[1], flush=True)
s.serve_forever()' "$work/www" > "$work/port" &
server=$!
for ((i = 0; i < 100; i++)); do [[ -s $work/port ]] && break; sleep 0.05; done
port=$(cat "$work/port")
[[ -n $port ]] || fail "the fake API did not start within 5 s"
api=http://127.0.0.1:$port
release() {  # release TAG: the release JSON with the tarball, its .sha256 and an older .deb
  cat <<EOF
{"tag_name": "$1", "draft": false, "assets": [
  {"name": "hoist_0.2.0_amd64.deb", "url": "$api/assets/none"},
  {"name": "$pkg.tar.gz", "url": "$api/assets/1"},
  {"name": "$pkg.tar.gz.sha256", "url": "$api/assets/2"}]}
EOF
}
release v0.2.0 > "$work/www/repos/acme/hoist/releases/tags/v0.2.0"
# `releases?per_page=100`: http.server redirects the directory to releases/ and serves index.html
mkdir -p "$work/www/repos/acme/hoist/releases"
{ echo "["; release v0.2.0; echo ","; echo '{"tag_name": "v0.1.9", "draft": false, "assets": []}'; echo "]"; } \
  > "$work/www/repos/acme/hoist/releases/index.html"

run_install() {
  env -i PATH=/usr/bin:/bin HOME="$work/home" GITHUB_API_URL="$api" HOIST_REPO=acme/hoist HOIST_VERSION=v0 \
    RUNNER_TEMP="$work/tmp" RUNNER_TOOL_CACHE="$work/tools" GITHUB_PATH="$work/github_path" \
    bash "$src/.github/action/install.sh"
}
mkdir -p "$work/tmp" "$work/home"
PATH=/usr/bin:/bin command -v hoist >/dev/null && fail "hoist is on /usr/bin:/bin; the test would skip the install"
out=$(run_install 2>&1) || fail "install.sh failed: $out"
want=$work/tools/hoist/v0.2.0/$pkg/bin
[[ $(cat "$work/github_path") == "$want" ]] || fail "GITHUB_PATH has '$(cat "$work/github_path")', want $want"
version=$("$want/hoist" version | head -1) || fail "the installed hoist does not run"
[[ $version == "$expect_version"* ]] || fail "the installed hoist says '$version'"
grep -q "installing $pkg.tar.gz from acme/hoist v0.2.0" <<<"$out" || fail "install.sh did not say what it installed: $out"

# a download that does not match its checksum is refused, and nothing is put on PATH
rm -rf "$work/tools" "$work/github_path"
echo corrupted >> "$work/www/assets/1"
if out=$(run_install 2>&1); then fail "install.sh accepted a corrupted tarball: $out"; fi
grep -q "does not match its .sha256" <<<"$out" || fail "no checksum message: $out"
[[ ! -e $work/github_path ]] || fail "a corrupted download was put on PATH"
echo "ok"

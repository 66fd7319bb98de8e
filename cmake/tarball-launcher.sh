#!/bin/sh
# bin/hoist of the portable tarball (cmake/tarball.sh): runs the real binary through the dynamic
# loader and C library shipped beside it, so it starts on any x86_64 Linux whatever its glibc.
# --library-path instead of LD_LIBRARY_PATH: programs hoist starts see the system's libraries.
self=$(readlink -f "$0" 2>/dev/null) || self=$0
bundle=${self%/*}/../libexec/hoist
exec "$bundle/lib/ld-linux-x86-64.so.2" --library-path "$bundle/lib" --argv0 "$0" "$bundle/hoist" "$@"

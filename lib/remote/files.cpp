#include "remote/files.hpp"

#include <cstdio>

namespace hoist::remote {

Command append_stdin(const std::string& path) {
    return {{"sh", "-c", "umask 077 && mkdir -p \"$(dirname \"$1\")\" && cat >> \"$1\"", "sh", path}};
}

Command write_stdin_atomically(const std::string& path, const std::string& temp, int mode) {
    char octal[8], mask[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode) & 07777u);
    std::snprintf(mask, sizeof mask, "%04o", ~static_cast<unsigned>(mode) & 0777u);
    // $1 target, $2 temp, $3 mode, $4 the umask under which the temp is born with that mode (a
    // secret is never readable by others, not even for a moment). The temp is created with set -C
    // (O_EXCL), so a name in use is never written or removed; chmod then sets the mode exactly
    // (execute bits, which no umask adds). `sync FILE` fsyncs the one file; a sync without
    // arguments (old coreutils, busybox) syncs all. mv within one directory is rename(2): readers
    // see the old file or the new one, never half of it. Every failure reads stdin to its end, so
    // hoist's write of the content never meets a closed channel and the real error is reported.
    return {{"sh", "-c",
             "umask 077 && mkdir -p -- \"$(dirname -- \"$1\")\" && "
             "if [ -d \"$1\" ]; then echo \"$1 is a directory\" >&2; false; fi && "
             "umask \"$4\" && set -C && true > \"$2\" || { cat > /dev/null; exit 1; }; set +C; "
             "cat > \"$2\" && chmod -- \"$3\" \"$2\" && { sync -- \"$2\" 2>/dev/null || sync; } && "
             "mv -f -- \"$2\" \"$1\" || { rm -f -- \"$2\"; cat > /dev/null; exit 1; }",
             "sh", path, temp, octal, mask}};
}

Command read_if_exists(const std::string& path) {
    return {{"sh", "-c", "if [ -e \"$1\" ]; then cat \"$1\"; fi", "sh", path}};
}

Command remove_file(const std::string& path) { return {{"rm", "-f", "--", path}}; }

Command remove_files(const std::vector<std::string>& paths) {
    Command c{{"rm", "-f", "--"}};
    c.argv.insert(c.argv.end(), paths.begin(), paths.end());
    return c;
}

Command lock_acquire(const std::string& dir) {
    return {{"sh", "-c",
             "umask 077 && mkdir -p \"$1\" || exit 1; "
             "if mkdir \"$1/lock\" 2>/dev/null; then cat > \"$1/lock/info.json\"; "
             "else cat > /dev/null; cat \"$1/lock/info.json\" 2>/dev/null; exit 3; fi",
             "sh", dir}};
}

Command lock_info(const std::string& dir) {
    return {{"sh", "-c", "if [ -d \"$1/lock\" ]; then echo held; cat \"$1/lock/info.json\" 2>/dev/null; fi; exit 0", "sh",
             dir}};
}

Command lock_release(const std::string& dir, const std::string& id) {
    return {{"sh", "-c",
             "[ -d \"$1/lock\" ] || exit 0; "
             "if [ -n \"$2\" ] && ! grep -qF \"\\\"id\\\":\\\"$2\\\"\" \"$1/lock/info.json\" 2>/dev/null; then exit 3; fi; "
             "rm -rf \"$1/lock\"",
             "sh", dir, id}};
}

}  // namespace hoist::remote

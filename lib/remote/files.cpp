#include "remote/files.hpp"

namespace hoist::remote {

Command append_stdin(const std::string& path) {
    return {{"sh", "-c", "umask 077 && mkdir -p \"$(dirname \"$1\")\" && cat >> \"$1\"", "sh", path}};
}

Command read_if_exists(const std::string& path) {
    return {{"sh", "-c", "if [ -e \"$1\" ]; then cat \"$1\"; fi", "sh", path}};
}

Command remove_file(const std::string& path) { return {{"rm", "-f", "--", path}}; }

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
